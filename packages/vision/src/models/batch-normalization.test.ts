import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { batchNormalization } from './batch-normalization.js';

const SHAPE = [4, 5, 6, 3];

/** The same one-layer model twice: Strata's batch norm and tfjs-layers', with equal, non-trivial weights. */
function twins(momentum = 0.9, epsilon = 1e-3): { strata: tfl.LayersModel; layers: tfl.LayersModel } {
  const build = (layer: tfl.layers.Layer): tfl.LayersModel => {
    const input = tfl.input({ shape: SHAPE.slice(1), name: 'input' });
    return tfl.model({ inputs: input, outputs: layer.apply(input) as tfl.SymbolicTensor });
  };
  const strata = build(batchNormalization({ momentum, epsilon, name: 'bn' }));
  const layers = build(tfl.layers.batchNormalization({ momentum, epsilon, name: 'bn' }));
  const weights = [
    tf.tensor1d([1.5, 0.5, -2]), // gamma
    tf.tensor1d([0.1, -0.3, 2]), // beta
    tf.tensor1d([0.2, -1, 3]), // moving mean
    tf.tensor1d([2, 0.5, 4]), // moving variance
  ];
  strata.setWeights(weights);
  layers.setWeights(weights);
  tf.dispose(weights);
  return { strata, layers };
}

async function assertClose(actual: tf.Tensor, expected: tf.Tensor, tolerance = 1e-5): Promise<void> {
  assert.deepEqual(actual.shape, expected.shape);
  const [a, e] = await Promise.all([actual.data(), expected.data()]);
  for (let i = 0; i < e.length; i++) assert.ok(Math.abs(a[i]! - e[i]!) <= tolerance * (1 + Math.abs(e[i]!)), `element ${i}: ${a[i]} vs ${e[i]}`);
}

describe('batchNormalization (the layer)', () => {
  it('has tfjs-layers\' weights, under the same names, in the same order', () => {
    const { strata, layers } = twins();
    assert.deepEqual(strata.weights.map((w) => w.originalName), layers.weights.map((w) => w.originalName));
    assert.deepEqual(strata.trainableWeights.map((w) => w.originalName), ['bn/gamma', 'bn/beta']);
    strata.dispose();
    layers.dispose();
  });

  it('trains as tfjs-layers\' BatchNormalization: output, running averages and every gradient', async () => {
    const { strata, layers } = twins();
    const x = tf.randomNormal(SHAPE, 1, 2, 'float32', 3);
    const target = tf.randomNormal(SHAPE, 0, 1, 'float32', 4);
    for (let step = 0; step < 2; step++) {
      const run = (model: tfl.LayersModel) => {
        // A loss that weighs every output differently, so a wrong gradient cannot cancel out.
        const loss = () => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, target)) as tf.Scalar;
        const xGrad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input, { training: true }) as tf.Tensor, target)))(x);
        const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(loss, variables);
        return { value, xGrad, grads: variables.map((v) => grads[v.name]!) };
      };
      const s = run(strata);
      const l = run(layers);
      await assertClose(s.value, l.value, 1e-4);
      await assertClose(s.xGrad, l.xGrad);
      for (let i = 0; i < l.grads.length; i++) await assertClose(s.grads[i]!, l.grads[i]!);
      tf.dispose([s.value, s.xGrad, ...s.grads, l.value, l.xGrad, ...l.grads]);
    }
    // Two training calls a step in each model (the x gradient, the variables' gradients) moved the averages alike.
    const [sw, lw] = [strata.getWeights(), layers.getWeights()];
    await assertClose(sw[2]!, lw[2]!);
    await assertClose(sw[3]!, lw[3]!);
    tf.dispose([x, target]);
    strata.dispose();
    layers.dispose();
  });

  it('infers from the running averages, as tfjs-layers does', async () => {
    const { strata, layers } = twins();
    const x = tf.randomNormal(SHAPE, 0, 3, 'float32', 5);
    const [ys, yl] = [strata.predict(x) as tf.Tensor, layers.predict(x) as tf.Tensor];
    await assertClose(ys, yl);
    tf.dispose([x, ys, yl]);
    strata.dispose();
    layers.dispose();
  });

  it('saves a topology that plain tfjs-layers loads as its own BatchNormalization, computing the same', async () => {
    const { strata, layers } = twins(0.95, 1e-2);
    const loaded = await tfl.models.modelFromJSON({ modelTopology: strata.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] });
    const layer = loaded.getLayer('bn');
    assert.equal(layer.getClassName(), 'BatchNormalization');
    assert.equal(layer.constructor, layers.getLayer('bn').constructor);
    assert.equal(layer.getConfig().momentum, 0.95);
    assert.equal(layer.getConfig().epsilon, 1e-2);
    // getWeights gives the model's own variables: set, not disposed.
    loaded.setWeights(strata.getWeights());
    const x = tf.randomNormal(SHAPE, 0, 1, 'float32', 6);
    const [ya, yb] = [strata.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    await assertClose(yb, ya);
    tf.dispose([x, ya, yb]);
    for (const m of [strata, layers, loaded]) m.dispose();
  });

  it('leaks no tensor across training steps', () => {
    const { strata, layers } = twins();
    const x = tf.randomNormal(SHAPE, 0, 1, 'float32', 7);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(strata.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    strata.dispose();
    layers.dispose();
  });

  it('refuses a layout or setting it does not handle, naming the value and the way out', () => {
    const refused = (pattern: RegExp) => (e: unknown) => e instanceof StrataError && e.kind === 'bad-input' && pattern.test(e.message);
    assert.throws(() => batchNormalization({ axis: 1 }), refused(/axis 1 .*use -1/));
    assert.throws(() => batchNormalization({ momentum: 1.5 }), refused(/momentum 1\.5 .*\[0, 1\]/));
    assert.throws(() => batchNormalization({ epsilon: 0 }), refused(/epsilon 0 is not positive/));
    const flat = tfl.input({ shape: [8], name: 'flat' });
    assert.throws(() => batchNormalization({ name: 'bn2d' }).apply(flat), refused(/'bn2d': input shape \[null,8\] .*tf\.layers\.batchNormalization/));
  });
});
