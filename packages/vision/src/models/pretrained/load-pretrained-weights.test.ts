// loadPretrainedWeights against PyTorch: the real ImageNet EfficientNet-Lite0 weights and seeded
// EfficientNet-B0s written by torch (efficientnet_pytorch's and timm's key names; zip, legacy and
// safetensors files) load into Strata's models, which then compute torch's logits on the same
// normalised JPEGs, on tfjs-backend-cpu. test/src/pretrained-efficientnet.test.ts runs the
// Lite0 comparison on the native engine and on wasm.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { efficientNetB0 } from '../efficientnet-b0.js';
import { efficientNetLite0 } from '../efficientnet-lite0.js';
import { permuted } from './float-values.js';
import { loadPretrainedWeights, type PretrainedReport } from './load-pretrained-weights.js';
import { readStateDict } from './read-state-dict.js';
import { differences, readFloat32, runTorchReference, torchUnavailable, type B0Reference, type Lite0Reference } from './testdata/torch-reference.js';

// The reference runs each network in float64: its logits are exact, and the difference is
// Strata's own float32 rounding, which grows with the logit: 1e-4 absolute, widened in
// proportion beyond |logit| 5 (a relative 2e-5, some 170 float32 ulps). A layout, padding or
// epsilon error changes logits far more.
const tolerance = (expected: number) => Math.max(1e-4, 2e-5 * Math.abs(expected));
// Images small enough for tfjs-backend-cpu; the reference pads for the same size.
const SIZE = 64;
const IMAGES = 2;

const skip = torchUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'strata-pretrained-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function logitsOf(model: tfl.LayersModel, inputs: Float32Array): Promise<Float32Array> {
  const y = tf.tidy(() => model.apply(tf.tensor(inputs, [IMAGES, SIZE, SIZE, 3]), { training: false }) as tf.Tensor);
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string, t: { diagnostic(message: string): void }): void {
  const { abs, rel } = differences(actual, expected);
  t.diagnostic(`${what}: largest logit difference ${abs.toExponential(2)} (relative ${rel.toExponential(2)})`);
  const failing = Array.from(actual).findIndex((a, i) => !(Math.abs(a - expected[i]!) <= tolerance(expected[i]!)));
  assert.equal(failing, -1, `${what}: logit ${failing} is ${actual[failing]}, torch's ${expected[failing]}; largest difference ${abs} (relative ${rel})`);
}

async function weightValues(model: tfl.LayersModel): Promise<Map<string, Float32Array>> {
  return new Map(await Promise.all(model.weights.map(async (w) => [w.originalName, (await w.read().data()) as Float32Array] as const)));
}

describe('loadPretrainedWeights: the ImageNet EfficientNet-Lite0 weights', { skip }, () => {
  let reference: Lite0Reference;
  let inputs: Float32Array;
  before(async () => {
    await tf.setBackend('cpu');
    reference = runTorchReference('lite0', IMAGES, SIZE, join(dir, 'lite0'));
    inputs = readFloat32(reference.inputs);
  });

  it('load into efficientNetLite0 with 1000 classes, every weight, and give the logits of efficientnet-lite-pytorch', async (t) => {
    const model = efficientNetLite0({ inputSize: SIZE, outputs: 1000 });
    const report = await loadPretrainedWeights(model, reference.weights, { architecture: 'efficientnet-lite0' });
    assert.equal(report.format, 'pth-legacy');
    assert.equal(report.keys, 'efficientnet_pytorch');
    assert.deepEqual(report.skipped, []);
    assert.deepEqual(report.initial, []);
    assert.deepEqual(report.loaded, model.weights.map((w) => w.originalName));
    assert.equal(report.loaded.length, 247);
    assertClose(await logitsOf(model, inputs), readFloat32(reference.logits), 'Lite0', t);
    model.dispose();
  });

  it('under a one-logit head skip exactly the ImageNet head (weight and bias), which stays at its initial value', async () => {
    const model = efficientNetLite0({ inputSize: SIZE, seed: 4 });
    const head = await weightValues(model);
    const report = await loadPretrainedWeights(model, new Uint8Array(readFileSync(reference.weights)), { architecture: 'efficientnet-lite0' });
    assert.deepEqual(report.skipped.map((s) => s.key), ['_fc.weight', '_fc.bias']);
    assert.match(report.skipped[0]!.reason, /shape \[1000,1280\] does not fit predictions\/kernel \[1280,1\]/);
    assert.deepEqual(report.initial, ['predictions/kernel', 'predictions/bias']);
    assert.equal(report.loaded.length, 245);
    const after = await weightValues(model);
    assert.deepEqual(after.get('predictions/kernel'), head.get('predictions/kernel'));
    assert.notDeepEqual(after.get('stem_conv/kernel'), head.get('stem_conv/kernel'));
    model.dispose();
  });

  it('hold the file values in tfjs layout: HWIO convolutions, [kh, kw, C, 1] depthwise kernels, [in, out] dense kernels', async () => {
    const model = efficientNetLite0({ inputSize: SIZE, outputs: 1000 });
    await loadPretrainedWeights(model, reference.weights, { architecture: 'efficientnet-lite0' });
    const { tensors } = await readStateDict(reference.weights);
    const loaded = await weightValues(model);
    const cases: [string, string, number[] | undefined][] = [
      ['stem_conv/kernel', '_conv_stem.weight', [2, 3, 1, 0]],
      ['block2a_dwconv/depthwise_kernel', '_blocks.1._depthwise_conv.weight', [2, 3, 0, 1]],
      ['predictions/kernel', '_fc.weight', [1, 0]],
      ['block7a_project_bn/moving_variance', '_blocks.15._bn2.running_var', undefined],
      ['top_bn/gamma', '_bn1.weight', undefined],
    ];
    for (const [weight, key, perm] of cases) {
      const file = tensors.get(key)!;
      // One element by its indices on both sides, independent of `permuted`.
      const expected = perm ? permuted(file.values!, file.shape, perm) : file.values!;
      assert.deepEqual(loaded.get(weight), expected, weight);
    }
    const kernel = loaded.get('stem_conv/kernel')!;
    const source = tensors.get('_conv_stem.weight')!.values!;
    // HWIO [3, 3, 3, 32] at (h=1, w=2, i=0, o=5) is OIHW [32, 3, 3, 3] at (5, 0, 1, 2).
    assert.equal(kernel[((1 * 3 + 2) * 3 + 0) * 32 + 5], source[((5 * 3 + 0) * 3 + 1) * 3 + 2]);
    model.dispose();
  });
});

describe('loadPretrainedWeights: seeded EfficientNet-B0 state dicts written by torch', { skip }, () => {
  let reference: B0Reference;
  let inputs: Float32Array;
  before(async () => {
    await tf.setBackend('cpu');
    reference = runTorchReference('b0', IMAGES, SIZE, join(dir, 'b0'));
    inputs = readFloat32(reference.inputs);
  });

  it("load the same values from torch.save's zip and legacy formats and safetensors, and give efficientnet_pytorch's logits", async (t) => {
    const b0 = reference.models['b0']!;
    let first: Map<string, Float32Array> | undefined;
    for (const [format, file] of Object.entries(b0.formats!)) {
      const model = efficientNetB0({ inputSize: SIZE, outputs: 1000, seed: 9 });
      const report = await loadPretrainedWeights(model, file, { architecture: 'efficientnet-b0' });
      assert.equal(report.format, format);
      assert.equal(report.keys, 'efficientnet_pytorch');
      assert.deepEqual([report.skipped, report.initial, report.loaded.length], [[], [], 311]);
      const values = await weightValues(model);
      if (first === undefined) {
        first = values;
        assertClose(await logitsOf(model, inputs), readFloat32(b0.logits), format, t);
      } else {
        assert.deepEqual(values, first, `${format} against pth-zip`);
      }
      model.dispose();
    }
  });

  it('widen float16 and bfloat16 safetensors to the values torch widens them to', async (t) => {
    for (const name of ['b0-f16', 'b0-bf16']) {
      const model = efficientNetB0({ inputSize: SIZE, outputs: 1000 });
      await loadPretrainedWeights(model, reference.models[name]!.file, { architecture: 'efficientnet-b0' });
      assertClose(await logitsOf(model, inputs), readFloat32(reference.models[name]!.logits), name, t);
      model.dispose();
    }
  });

  it("load the seed's one-logit B0 from a Lightning checkpoint (keys under 'model.'), its head included", async (t) => {
    const entry = reference.models['b0-one-logit']!;
    const model = efficientNetB0({ inputSize: SIZE });
    const before = tf.memory().numTensors;
    const report = await loadPretrainedWeights(model, entry.file, { architecture: 'efficientnet-b0' });
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    assert.deepEqual([report.format, report.keys, report.skipped, report.initial, report.loaded.length], ['pth-zip', 'efficientnet_pytorch', [], [], 311]);
    assertClose(await logitsOf(model, inputs), readFloat32(entry.logits), 'one-logit B0', t);
    model.dispose();
  });

  it("map timm's key names: tf_efficientnet_b0 and tf_efficientnet_lite0 (TensorFlow padding, Strata's architecture) give timm's logits", async (t) => {
    const cases = [
      ['timm-tf_efficientnet_b0', () => efficientNetB0({ inputSize: SIZE, outputs: 1000 }), 'efficientnet-b0', 311],
      ['timm-tf_efficientnet_lite0', () => efficientNetLite0({ inputSize: SIZE, outputs: 1000 }), 'efficientnet-lite0', 247],
    ] as const;
    for (const [name, build, architecture, count] of cases) {
      const model = build();
      const report = await loadPretrainedWeights(model, reference.models[name]!.file, { architecture, keys: 'timm' });
      assert.deepEqual([report.format, report.keys, report.skipped, report.initial, report.loaded.length], ['safetensors', 'timm', [], [], count]);
      assertClose(await logitsOf(model, inputs), readFloat32(reference.models[name]!.logits), name, t);
      model.dispose();
    }
  });

  it("load timm's efficientnet_b0 (symmetric padding, another network) value for value", async () => {
    const file = reference.models['timm-efficientnet_b0']!.file;
    const model = efficientNetB0({ inputSize: SIZE, outputs: 1000 });
    const report = await loadPretrainedWeights(model, file, { architecture: 'efficientnet-b0' });
    assert.equal(report.keys, 'timm');
    assert.equal(report.loaded.length, 311);
    const { tensors } = await readStateDict(file);
    const loaded = await weightValues(model);
    const cases: [string, string, number[] | undefined][] = [
      ['stem_conv/kernel', 'conv_stem.weight', [2, 3, 1, 0]],
      ['block1a_dwconv/depthwise_kernel', 'blocks.0.0.conv_dw.weight', [2, 3, 0, 1]],
      ['block1a_bn/moving_mean', 'blocks.0.0.bn1.running_mean', undefined],
      ['block1a_project_conv/kernel', 'blocks.0.0.conv_pw.weight', [2, 3, 1, 0]],
      ['block2a_expand_conv/kernel', 'blocks.1.0.conv_pw.weight', [2, 3, 1, 0]],
      ['block2a_bn/beta', 'blocks.1.0.bn2.bias', undefined],
      ['block4c_se_reduce/bias', 'blocks.3.2.se.conv_reduce.bias', undefined],
      ['block6d_project_bn/gamma', 'blocks.5.3.bn3.weight', undefined],
      ['top_conv/kernel', 'conv_head.weight', [2, 3, 1, 0]],
      ['predictions/kernel', 'classifier.weight', [1, 0]],
    ];
    for (const [weight, key, perm] of cases) {
      const source = tensors.get(key)!;
      assert.deepEqual(loaded.get(weight), perm ? permuted(source.values!, source.shape, perm) : source.values, `${weight} <- ${key}`);
    }
    model.dispose();
  });

  it('refuse, naming the weight, what does not fit, and leave the model unchanged', async () => {
    const b0 = reference.models['b0']!.file;
    const rejects = async (promise: Promise<PretrainedReport>, pattern: RegExp) => {
      await assert.rejects(promise, (e: unknown) => e instanceof StrataError && e.kind === 'bad-input' && pattern.test(e.message));
    };
    const narrow = efficientNetB0({ inputSize: SIZE, widthMultiplier: 0.5 });
    const before = await weightValues(narrow);
    await rejects(loadPretrainedWeights(narrow, b0, { architecture: 'efficientnet-b0' }), /"_conv_stem\.weight" in .* has shape \[32,3,3,3\] \(\[3,3,3,32\] in tfjs's layout\), but Strata's "stem_conv\/kernel" is \[3,3,3,16\]/);
    assert.deepEqual(await weightValues(narrow), before);

    // A B0 file under Lite0: the squeeze-excitation weights have no place.
    await rejects(loadPretrainedWeights(efficientNetLite0({ inputSize: SIZE }), b0, { architecture: 'efficientnet-lite0' }), /"_blocks\.0\._se_reduce\.weight" .* no counterpart in Strata's efficientnet-lite0/);
    // A Lite0 file under B0: the squeeze-excitation weights are missing.
    await rejects(loadPretrainedWeights(efficientNetB0({ inputSize: SIZE }), reference.models['timm-tf_efficientnet_lite0']!.file, { architecture: 'efficientnet-b0' }), /has no "blocks\.0\.0\.se\.conv_reduce\.weight" for Strata's weight "block1a_se_reduce\/kernel"/);
    // The architecture named must be the model's.
    await rejects(loadPretrainedWeights(efficientNetB0({ inputSize: SIZE }), b0, { architecture: 'efficientnet-lite0' }), /is efficientnet-b0, but the weights are for efficientnet-lite0/);
    // Keys of another convention than the one asked for.
    await rejects(loadPretrainedWeights(efficientNetB0({ inputSize: SIZE }), b0, { architecture: 'efficientnet-b0', keys: 'timm' }), /no stem convolution key \("conv_stem\.weight"\)/);
    await assert.rejects(loadPretrainedWeights(efficientNetB0({ inputSize: SIZE }), b0, { architecture: 'efficientnet-b7' as never }), /Invalid option architecture: received "efficientnet-b7"/);
    await rejects(loadPretrainedWeights(efficientNetB0({ inputSize: SIZE }), reference.noStateDict, { architecture: 'efficientnet-b0' }), /holds a dict with keys \["epoch","optimizer"\], not a state dict of tensors/);
  });

  it('name a truncated file as such, in each format', async () => {
    for (const file of Object.values(reference.models['b0']!.formats!)) {
      const bytes = new Uint8Array(readFileSync(file));
      const truncated = bytes.subarray(0, Math.floor(bytes.length * 0.6));
      await assert.rejects(loadPretrainedWeights(efficientNetB0({ inputSize: SIZE, outputs: 1000 }), truncated, { architecture: 'efficientnet-b0' }), (e: unknown) => e instanceof StrataError && e.kind === 'bad-input', file);
    }
  });
});
