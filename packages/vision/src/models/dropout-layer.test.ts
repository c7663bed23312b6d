import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { StrataError, seedEverything, unseedEverything } from '@strata/core';
import { StrataDropout, strataDropout } from './dropout-layer.js';
import { efficientNetB0 } from './efficientnet-b0.js';
import { layersModelFromSpec } from './layers-model.js';
import type { ModelSpec } from './model-spec.js';

/** A small network with both dropouts of EfficientNet: drop-connect on a residual branch, dropout before the head. */
const SPEC: ModelSpec = {
  name: 'dropout-test',
  summary: 'conv, residual conv with drop-connect, global avg pool, dropout, dense',
  inputChannels: 3,
  layers: [
    { kind: 'conv2d', name: 'stem', filters: 8, kernel: 3, stride: 1, padding: 'same', bias: true, activation: 'relu' },
    {
      kind: 'residual',
      name: 'block',
      body: [
        { kind: 'conv2d', name: 'block_conv', filters: 8, kernel: 3, stride: 1, padding: 'same', bias: true, activation: 'relu' },
        { kind: 'dropout', name: 'block_drop', rate: 0.3, perSample: true },
      ],
    },
    { kind: 'global-avg-pool', name: 'avg_pool' },
    { kind: 'dropout', name: 'top_dropout', rate: 0.3 },
    { kind: 'dense', name: 'predictions', units: 1, bias: true },
  ],
};

const build = () => layersModelFromSpec(SPEC, { inputSize: [8, 8], initializers: 'glorot', seed: 1, batchNormMomentum: 0.9 });

function valuesOf(t: tf.Tensor): number[] {
  const v = Array.from(t.dataSync());
  t.dispose();
  return v;
}

after(() => unseedEverything());

describe('StrataDropout in a model built from a spec', () => {
  it('is the layer of every dropout, under the spec\'s names', () => {
    const model = build();
    for (const name of ['block_drop', 'top_dropout']) assert.ok(model.getLayer(name) instanceof StrataDropout, name);
    assert.deepEqual((model.getLayer('block_drop') as StrataDropout).noiseShape, [null, 1, 1, 1]);
    assert.equal((model.getLayer('top_dropout') as StrataDropout).noiseShape, null);
    model.dispose();
    const b0 = efficientNetB0({ inputSize: 32, widthMultiplier: 0.25 });
    const drops = b0.layers.filter((l) => l instanceof StrataDropout).map((l) => l.name);
    assert.ok(drops.includes('top_dropout') && drops.some((n) => /^block\d[a-z]_drop$/.test(n)), drops.join(', '));
    assert.equal(b0.layers.filter((l) => l.getClassName() === 'Dropout').length, 0, "no tfjs-layers Dropout is left");
    b0.dispose();
  });

  it('is the identity in inference: the same outputs every time, equal to the network without dropout', () => {
    const model = build();
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 1);
    const a = valuesOf(model.apply(x, { training: false }) as tf.Tensor);
    assert.deepEqual(valuesOf(model.predict(x) as tf.Tensor), a);
    assert.deepEqual(valuesOf(model.apply(x, { training: false }) as tf.Tensor), a);
    const plain = layersModelFromSpec({ ...SPEC, layers: SPEC.layers.filter((l) => l.kind !== 'dropout').map((l) => (l.kind === 'residual' ? { ...l, body: l.body.filter((b) => b.kind !== 'dropout') } : l)) }, { inputSize: [8, 8], initializers: 'glorot', seed: 1, batchNormMomentum: 0.9 });
    assert.deepEqual(valuesOf(plain.predict(x) as tf.Tensor), a);
    tf.dispose(x);
    model.dispose();
    plain.dispose();
  });

  it('drops in training: new masks at each call, the same ones after the same seedEverything', () => {
    const model = build();
    const x = tf.randomNormal([16, 8, 8, 3], 0, 1, 'float32', 2);
    const inference = valuesOf(model.apply(x, { training: false }) as tf.Tensor);
    seedEverything(4);
    const first = valuesOf(model.apply(x, { training: true }) as tf.Tensor);
    const second = valuesOf(model.apply(x, { training: true }) as tf.Tensor);
    assert.notDeepEqual(first, inference, 'training applies dropout');
    assert.notDeepEqual(second, first, 'each call draws new masks');
    seedEverything(4);
    assert.deepEqual(valuesOf(model.apply(x, { training: true }) as tf.Tensor), first, 'seedEverything repeats the masks');
    tf.dispose(x);
    model.dispose();
  });

  it('trains: SGD on a fixed batch lowers the inference loss, with dropout in every training step, and leaks no tensor', () => {
    seedEverything(5);
    const model = build();
    const x = tf.randomNormal([16, 8, 8, 3], 0, 1, 'float32', 3);
    const y = tf.tidy(() => tf.reshape(tf.cast(tf.greater(tf.mean(x, [1, 2, 3]), 0), 'float32'), [16, 1]));
    const lossOf = (training: boolean) => tf.losses.sigmoidCrossEntropy(y, model.apply(x, { training }) as tf.Tensor) as tf.Scalar;
    const before = tf.tidy(() => lossOf(false).dataSync()[0]!);
    const optimizer = tf.train.sgd(0.5);
    const tensors = tf.memory().numTensors;
    for (let step = 0; step < 20; step++) optimizer.minimize(() => lossOf(true), true)?.dispose();
    assert.equal(tf.memory().numTensors, tensors, 'no tensor leaks from the training steps');
    const afterTraining = tf.tidy(() => lossOf(false).dataSync()[0]!);
    assert.ok(afterTraining < before * 0.9, `inference loss ${before} -> ${afterTraining}`);
    tf.dispose([x, y]);
    optimizer.dispose();
    model.dispose();
  });

  it('saves and loads its config under its own class name', async () => {
    const model = build();
    const loaded = await tfl.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
    const layer = loaded.getLayer('block_drop');
    assert.equal(layer.getClassName(), 'StrataDropout');
    assert.ok(layer instanceof StrataDropout);
    assert.equal(layer.rate, 0.3);
    assert.deepEqual(layer.noiseShape, [null, 1, 1, 1]);
    model.dispose();
    loaded.dispose();
  });

  it('refuses a rate outside [0, 1), naming it', () => {
    assert.throws(() => strataDropout({ rate: 1.5 }), (e: unknown) => e instanceof StrataError && /rate must be a number in \[0, 1\); received 1.5/.test(e.message));
  });
});
