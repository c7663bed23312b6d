import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { efficientNetB0 } from './efficientnet-b0.js';
import { roundFilters, roundRepeats } from './efficientnet-scaling.js';
import { loadWeights, saveWeights } from './model-weights.js';
import { tinyCnn } from './tiny-cnn.js';

// Reference: Keras' EfficientNetB0(include_top=False, weights=None, pooling='avg') plus Dense(1)
// has 4,050,852 parameters, 7 of them in its input Normalization layer (which Strata leaves to
// the Normalize transform): 4,050,845. Computed with tensorflow-cpu 2.21 by
//   base = tf.keras.applications.EfficientNetB0(include_top=False, weights=None, input_shape=(224,224,3), pooling='avg')
//   tf.keras.Model(base.input, tf.keras.layers.Dense(1)(base.output)).count_params()
const KERAS_B0_ONE_LOGIT_PARAMS = 4_050_845;

describe('efficientNetB0', () => {
  it('has exactly the parameters of the Keras reference with a one-logit head', () => {
    const model = efficientNetB0({ inputSize: 224 });
    assert.equal(model.countParams(), KERAS_B0_ONE_LOGIT_PARAMS);
    const names = model.layers.map((l) => l.name);
    // 16 MBConv blocks in 7 stages, named as the reference.
    assert.equal(names.filter((n) => /^block\d[a-z]_project_conv$/.test(n)).length, 16);
    for (const n of ['stem_conv', 'block1a_dwconv', 'block1a_se_reduce', 'block6d_drop', 'top_conv', 'predictions']) assert.ok(names.includes(n), n);
    model.dispose();
  });

  it('runs any input size to one logit per image, without leaking tensors', () => {
    const model = efficientNetB0({ inputSize: [40, 56], widthMultiplier: 0.25, depthMultiplier: 0.5, seed: 3 });
    const before = tf.memory().numTensors;
    const out = tf.tidy(() => model.apply(tf.randomNormal([2, 40, 56, 3], 0, 1, 'float32', 1), { training: true }) as tf.Tensor);
    assert.deepEqual(out.shape, [2, 1]);
    out.dispose();
    assert.equal(tf.memory().numTensors, before);
    model.dispose();
  });

  it('scales width and depth with the reference rounding', () => {
    assert.equal(roundFilters(32, 1), 32);
    assert.equal(roundFilters(32, 0.5), 16);
    assert.equal(roundFilters(1280, 0.25), 320);
    assert.equal(roundFilters(24, 1.1), 24); // 26.4 rounds to 24, within 10%
    assert.equal(roundFilters(40, 1.1), 48); // 44 -> 48 (halfway rounds up)
    assert.equal(roundRepeats(3, 1.2), 4);
  });

  it('is initialised the same for the same seed and differently for another', async () => {
    const weightsOf = async (seed: number) => Array.from(await efficientNetB0({ inputSize: 32, widthMultiplier: 0.25, depthMultiplier: 0.25, seed }).getLayer('stem_conv').getWeights()[0].data());
    const a = await weightsOf(1);
    assert.deepEqual(await weightsOf(1), a);
    assert.notDeepEqual(await weightsOf(2), a);
  });

  it('rejects an input size below 32, naming it', () => {
    assert.throws(() => efficientNetB0({ inputSize: 16 }), (e: unknown) => e instanceof StrataError && /inputSize: received 16/.test(e.message));
  });
});

describe('loadWeights / saveWeights', () => {
  it('round-trips every weight from local disk: the loaded model computes the same logits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-weights-'));
    try {
      const a = efficientNetB0({ inputSize: 32, widthMultiplier: 0.25, depthMultiplier: 0.25, seed: 1 });
      const b = efficientNetB0({ inputSize: 32, widthMultiplier: 0.25, depthMultiplier: 0.25, seed: 2 });
      const x = tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 7);
      // Move the batch-norm statistics away from their initial values, so they are checked too.
      tf.dispose(a.apply(x, { training: true }) as tf.Tensor);
      await saveWeights(a, dir);
      const ya = a.apply(x, { training: false }) as tf.Tensor;
      const before = b.apply(x, { training: false }) as tf.Tensor;
      await loadWeights(b, dir);
      const yb = b.apply(x, { training: false }) as tf.Tensor;
      const [va, vb, v0] = await Promise.all([ya.data(), yb.data(), before.data()]);
      assert.notDeepEqual(Array.from(v0), Array.from(va));
      assert.deepEqual(Array.from(vb), Array.from(va));
      tf.dispose([x, ya, yb, before]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the manifest when it is missing, and the weight when a shape differs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-weights-'));
    try {
      const model = tinyCnn({ inputSize: 16 });
      await assert.rejects(loadWeights(model, join(dir, 'nowhere')), (e: unknown) => e instanceof StrataError && e.kind === 'bad-input' && /nowhere.model\.json/.test(e.message));
      await saveWeights(tinyCnn({ inputSize: 16, filters: [8, 32, 64] }), dir);
      await assert.rejects(loadWeights(model, dir), (e: unknown) => e instanceof StrataError && /Weight "conv1\/kernel" .* shape \[3,3,3,8\], the model expects \[3,3,3,16\]/.test(e.message));
      writeFileSync(join(dir, 'model.json'), '{"nothing": 1}');
      await assert.rejects(loadWeights(model, dir), /no "weightsManifest"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tinyCnn', () => {
  it('is the benchmark network: 3 convolutions, 23,649 parameters at 16/32/64 channels', () => {
    const model = tinyCnn({ inputSize: 64 });
    // 3*3*3*16+16 + 3*3*16*32+32 + 3*3*32*64+64 + 64+1
    assert.equal(model.countParams(), 448 + 4640 + 18496 + 65);
    const out = tf.tidy(() => model.apply(tf.zeros([4, 64, 64, 3]), { training: true }) as tf.Tensor);
    assert.deepEqual(out.shape, [4, 1]);
    out.dispose();
  });
});
