import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { STRATA_BATCH_NORM_TRAINING } from '@strata/core';
import { EFFICIENTNET_B0, efficientNetB0Spec } from './efficientnet-b0.js';
import { layersModelFromSpec } from './layers-model.js';
import type { ModelSpec } from './model-spec.js';
import { buildTfjsModel } from './tfjs-model.js';
import { TINY_CNN, tinyCnnSpec } from './tiny-cnn.js';

/** A small convnet with two batch norms, one in a residual branch. */
const SPEC: ModelSpec = {
  name: 'bn-test',
  summary: 'conv, batch norm, swish, residual depthwise + batch norm, pool, dense',
  inputChannels: 3,
  layers: [
    { kind: 'conv2d', filters: 8, kernel: 3, stride: 2, padding: 'same', bias: false },
    { kind: 'batchnorm' },
    { kind: 'activation', fn: 'swish' },
    { kind: 'residual', body: [{ kind: 'depthwise2d', kernel: 3, stride: 1, padding: 'same' }, { kind: 'batchnorm' }] },
    { kind: 'global-avg-pool' },
    { kind: 'dense', units: 1, bias: true },
  ],
};

/** The loss and its gradients for every variable, and the kernels one step ran. */
async function lossAndGradients(batchNorm: 'strata' | 'tfjs'): Promise<{ loss: number; grads: Float32Array[]; kernels: string[] }> {
  const model = buildTfjsModel(SPEC, { batchNorm });
  const images = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const labels = tf.tensor2d([[1], [0], [1], [0]]);
  let result: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
  const profile = await tf.profile(() => {
    result = tf.variableGrads(() => tf.losses.sigmoidCrossEntropy(labels, model.apply(images)) as tf.Scalar, model.variables as tf.Variable[]);
    return result.value;
  });
  const { value, grads } = result!;
  const out = { loss: value.dataSync()[0]!, grads: model.variables.map((v) => grads[v.name]!.dataSync() as Float32Array), kernels: profile.kernelNames };
  tf.dispose([value, ...Object.values(grads), images, labels, ...model.variables]);
  return out;
}

describe('buildTfjsModel batch norm', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the same loss and gradients with batchNormTraining (default) as with tfjs-layers\' moments + batchNorm', async () => {
    const strata = await lossAndGradients('strata');
    const tfjs = await lossAndGradients('tfjs');
    assert.ok(strata.kernels.includes(STRATA_BATCH_NORM_TRAINING), `strata: ${strata.kernels.join(' ')}`);
    assert.ok(!tfjs.kernels.includes(STRATA_BATCH_NORM_TRAINING) && tfjs.kernels.includes('FusedBatchNorm'), `tfjs: ${tfjs.kernels.join(' ')}`);
    assert.ok(Math.abs(strata.loss - tfjs.loss) < 1e-6, `loss ${strata.loss} against ${tfjs.loss}`);
    strata.grads.forEach((g, i) => {
      const want = tfjs.grads[i]!;
      const scale = Math.max(1e-3, ...Array.from(want, Math.abs));
      g.forEach((v, j) => assert.ok(Math.abs(v - want[j]!) <= 1e-4 * scale, `variable ${i}[${j}]: ${v} against ${want[j]}`));
    });
  });
});

describe('one spec, two builders', () => {
  const sizes = (variables: readonly tf.Variable[]) => variables.map((v) => v.shape.join('x')).sort();

  it('gives buildTfjsModel the trainable weights of the tfjs-layers model, shape for shape', () => {
    for (const spec of [TINY_CNN, tinyCnnSpec({ filters: [8, 16, 32], batchNorm: true }), EFFICIENTNET_B0, efficientNetB0Spec({ widthMultiplier: 0.25, depthMultiplier: 0.5 })]) {
      const core = buildTfjsModel(spec);
      const layers = layersModelFromSpec(spec, { inputSize: [32, 32], initializers: 'glorot', seed: 1, batchNormMomentum: 0.99 });
      // tfjs-layers stores a depthwise kernel as [k, k, c, 1] and an SE convolution as [1, 1, in, out], as buildTfjsModel does.
      assert.deepEqual(sizes(core.variables), sizes(layers.trainableWeights.map((w) => w.read() as tf.Variable)), spec.name);
      tf.dispose([...core.variables]);
      layers.dispose();
    }
  });
});
