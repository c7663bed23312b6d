import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { swish } from './swish.js';

const SHAPE = [2, 3, 4, 5];

function oneLayer(layer: tfl.layers.Layer): tfl.LayersModel {
  const input = tfl.input({ shape: SHAPE.slice(1), name: 'input' });
  return tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
}

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

describe('swish (the layer)', () => {
  it('computes x * sigmoid(x) and its gradient, as tfjs-layers\' swish activation', async () => {
    const ours = oneLayer(swish({ name: 'act' }));
    const theirs = oneLayer(tfl.layers.activation({ activation: 'swish', name: 'act' }));
    const x = tf.randomNormal(SHAPE, 0, 3, 'float32', 1);
    const weight = tf.randomNormal(SHAPE, 0, 1, 'float32', 2);
    const gradient = (model: tfl.LayersModel) => tf.grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input) as tf.Tensor, weight)))(x);
    const [y, yRef, g, gRef] = await Promise.all([values(ours.predict(x) as tf.Tensor), values(theirs.predict(x) as tf.Tensor), values(gradient(ours)), values(gradient(theirs))]);
    const expected = await values(tf.tidy(() => tf.mul(x, tf.sigmoid(x))));
    for (let i = 0; i < y.length; i++) {
      assert.ok(Math.abs(y[i]! - yRef[i]!) <= 1e-6 * (1 + Math.abs(yRef[i]!)), `output ${i}: ${y[i]} vs ${yRef[i]}`);
      assert.ok(Math.abs(y[i]! - expected[i]!) <= 1e-6 * (1 + Math.abs(expected[i]!)), `output ${i}`);
      assert.ok(Math.abs(g[i]! - gRef[i]!) <= 1e-5 * (1 + Math.abs(gRef[i]!)), `gradient ${i}: ${g[i]} vs ${gRef[i]}`);
    }
    tf.dispose([x, weight]);
    ours.dispose();
    theirs.dispose();
  });

  it('saves a topology that plain tfjs-layers loads as its own swish Activation', async () => {
    const ours = oneLayer(swish({ name: 'act' }));
    const loaded = await tfl.models.modelFromJSON({ modelTopology: ours.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
    const layer = loaded.getLayer('act');
    assert.equal(layer.getClassName(), 'Activation');
    assert.equal(layer.getConfig().activation, 'swish');
    const x = tf.randomNormal(SHAPE, 0, 2, 'float32', 3);
    const [a, b] = await Promise.all([values(ours.predict(x) as tf.Tensor), values(loaded.predict(x) as tf.Tensor)]);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= 1e-6 * (1 + Math.abs(b[i]!)), `output ${i}`);
    x.dispose();
    ours.dispose();
    loaded.dispose();
  });

  it('leaks no tensor', () => {
    const model = oneLayer(swish());
    const x = tf.randomNormal(SHAPE, 0, 1, 'float32', 4);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.grad((input: tf.Tensor) => tf.sum(model.apply(input) as tf.Tensor))(x).dispose();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    model.dispose();
  });
});
