import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { efficientNetB0 } from './efficientnet-b0.js';
import { EFFICIENTNET_LITE0, efficientNetLite0, efficientNetLite0Spec } from './efficientnet-lite0.js';
import { buildTfjsModel } from './tfjs-model.js';

// Reference: efficientnet-lite-pytorch 0.1.0's EfficientNet.from_name('efficientnet-lite0'), its
// state dict without the batch-norm counters (num_batches_tracked), as Strata counts batch-norm
// statistics as parameters too:
//   sum(v.numel() for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked'))
// gives 4,694,024 with the 1000-class head and 3,413,024 without it (one logit adds 1280 + 1).
const LITE0_IMAGENET_PARAMS = 4_694_024;
const LITE0_ONE_LOGIT_PARAMS = 3_413_024 + 1280 + 1;

describe('efficientNetLite0', () => {
  it("has exactly the reference's parameters, with 1000 classes and with one logit", () => {
    const imagenet = efficientNetLite0({ inputSize: 224, outputs: 1000 });
    assert.equal(imagenet.countParams(), LITE0_IMAGENET_PARAMS);
    imagenet.dispose();
    const binary = efficientNetLite0({ inputSize: 224 });
    assert.equal(binary.countParams(), LITE0_ONE_LOGIT_PARAMS);
    binary.dispose();
  });

  it("is B0's network without squeeze-excitation and with ReLU6 after every convolution but the projections", () => {
    const model = efficientNetLite0({ inputSize: 64 });
    const names = model.layers.map((l) => l.name);
    assert.equal(names.filter((n) => /^block\d[a-z]_project_conv$/.test(n)).length, 16);
    assert.deepEqual(names.filter((n) => n.includes('_se')), []);
    const activations = model.layers.filter((l) => l.name.endsWith('_activation'));
    assert.equal(activations.length, 1 + 16 + 15 + 1); // stem, every depthwise, every expansion (all blocks but block1a), top
    for (const layer of activations) assert.equal((layer.getConfig() as { activation: string }).activation, 'relu6', layer.name);
    // Same layer names and kernel shapes as B0 wherever both have the layer.
    const b0 = efficientNetB0({ inputSize: 64 });
    for (const weight of model.weights) {
      const twin = b0.weights.find((w) => w.originalName === weight.originalName);
      assert.deepEqual(twin?.shape, weight.shape, weight.originalName);
    }
    model.dispose();
    b0.dispose();
  });

  it('clips its activations to [0, 6]', async () => {
    const model = efficientNetLite0({ inputSize: 32, seed: 2 });
    const stem = tfl.model({ inputs: model.inputs, outputs: model.getLayer('stem_activation').output as tfl.SymbolicTensor });
    const out = tf.tidy(() => stem.apply(tf.randomNormal([2, 32, 32, 3], 0, 50, 'float32', 3), { training: false }) as tf.Tensor);
    const values = await out.data();
    out.dispose();
    assert.equal(Math.max(...values), 6);
    assert.equal(Math.min(...values), 0);
    model.dispose();
  });

  it('keeps the stem (32), the head (1280) and the first and last stages when scaled, as the Lite reference', () => {
    const spec = efficientNetLite0Spec({ widthMultiplier: 0.5, depthMultiplier: 2 });
    const conv = (name: string) => spec.layers.flatMap((l) => (l.kind === 'residual' ? l.body : [l])).find((l) => l.name === name);
    assert.equal((conv('stem_conv') as { filters: number }).filters, 32);
    assert.equal((conv('top_conv') as { filters: number }).filters, 1280);
    assert.equal((conv('block2a_project_conv') as { filters: number }).filters, 16); // 24 * 0.5, rounded to 8s
    const blocks = new Set(spec.layers.flatMap((l) => (l.kind === 'residual' ? l.body : [l])).map((l) => /^block\d[a-z]/.exec(l.name ?? '')?.[0]).filter(Boolean));
    assert.ok(blocks.has('block1a') && !blocks.has('block1b'), 'first stage: 1 block at depth 2');
    assert.ok(blocks.has('block2d'), 'middle stages scale: 2 * 2 blocks');
    assert.ok(blocks.has('block7a') && !blocks.has('block7b'), 'last stage: 1 block at depth 2');
    // The default spec runs: one logit per image, without leaking tensors.
    const model = efficientNetLite0({ inputSize: [40, 48], widthMultiplier: 0.5, depthMultiplier: 2 });
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => model.apply(tf.randomNormal([2, 40, 48, 3], 0, 1, 'float32', 1), { training: true }) as tf.Tensor);
    assert.deepEqual(y.shape, [2, 1]);
    y.dispose();
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
  });

  it('names itself in its spec, and EFFICIENTNET_LITE0 has one logit and no dropout', () => {
    assert.equal(efficientNetLite0Spec().name, 'efficientnet-lite0');
    assert.match(EFFICIENTNET_LITE0.summary, /EfficientNet-Lite0 \(16 MBConv blocks without SE, ReLU6.*one logit; no dropout or drop-connect/);
    assert.ok(!EFFICIENTNET_LITE0.layers.some((l) => l.kind === 'dropout'));
  });

  it('builds with tfjs-core ops too (buildTfjsModel), running ReLU6', async () => {
    const model = buildTfjsModel(efficientNetLite0Spec({ widthMultiplier: 0.25, depthMultiplier: 0.25, dropoutRate: 0, dropConnectRate: 0 }));
    const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    let y: tf.Tensor | undefined;
    const profile = await tf.profile(() => (y = model.apply(images)));
    assert.deepEqual(y!.shape, [2, 1]);
    assert.ok(profile.kernelNames.includes('Relu6'), profile.kernelNames.join(' '));
    tf.dispose([y!, images, ...model.variables]);
  });

  it('rejects an input size below 32 and a bad option, naming them', () => {
    assert.throws(() => efficientNetLite0({ inputSize: 16 }), (e: unknown) => e instanceof StrataError && /inputSize: received 16/.test(e.message));
    assert.throws(() => efficientNetLite0Spec({ outputs: 0 }), (e: unknown) => e instanceof StrataError && /outputs: received 0/.test(e.message));
  });
});
