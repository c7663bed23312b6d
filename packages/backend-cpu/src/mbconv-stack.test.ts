// A few training steps of a small stack of MBConv blocks written in tfjs-core ops (stem conv,
// batch norm, swish, three MBConv blocks with depthwise convolution and squeeze-excitation,
// residual, head) on the native engine: the loss must fall, and the first steps must match
// tfjs-backend-cpu. It exercises EfficientNet's kernels at a size a test can afford; it is not
// the benchmark's EfficientNet-B0, which @strata/vision defines (efficientNetB0Spec).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { CpuStrategy } from './cpu-strategy.js';
import { nativeEngineStatus } from '@strata/native-engine';

const status = nativeEngineStatus('cpu');
const notBuilt = status.state === 'ready' ? false : `no native engine: ${status.state === 'ready' ? '' : status.reason}`;

/** Deterministic weights: a fixed-seed truncated normal, scaled like He initialisation. */
function weight(shape: number[], seed: number): tf.Variable {
  const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  return tf.variable(tf.truncatedNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed));
}

class MbConvStack {
  readonly params: tf.Variable[] = [];
  private seed = 1;
  private w(shape: number[]): tf.Variable {
    const v = weight(shape, this.seed++);
    this.params.push(v);
    return v;
  }
  private constant(value: tf.Tensor): tf.Variable {
    const v = tf.variable(value);
    value.dispose();
    this.params.push(v);
    return v;
  }
  readonly layers: Array<(x: tf.Tensor4D) => tf.Tensor4D> = [];
  private readonly dense: tf.Variable;
  private readonly bias: tf.Variable;

  constructor() {
    const swish = (x: tf.Tensor4D): tf.Tensor4D => tf.mul(x, tf.sigmoid(x));
    const conv = (cin: number, cout: number, k: number, stride: number) => {
      const f = this.w([k, k, cin, cout]);
      return (x: tf.Tensor4D) => tf.conv2d(x, f as tf.Tensor4D, stride, 'same');
    };
    // Batch norm in training mode: batch statistics, learned scale and offset.
    const bn = (channels: number) => {
      const gamma = this.constant(tf.ones([channels]));
      const beta = this.constant(tf.zeros([channels]));
      return (x: tf.Tensor4D) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.batchNorm(x, mean, variance, beta, gamma, 1e-3);
      };
    };
    const mbconv = (cin: number, cout: number, stride: number) => {
      const mid = cin * 4;
      const expand = conv(cin, mid, 1, 1);
      const bn1 = bn(mid);
      const dw = this.w([3, 3, mid, 1]);
      const bn2 = bn(mid);
      const seReduce = this.w([1, 1, mid, Math.max(1, cin / 4)]);
      const seExpand = this.w([1, 1, Math.max(1, cin / 4), mid]);
      const project = conv(mid, cout, 1, 1);
      const bn3 = bn(cout);
      return (x: tf.Tensor4D) => {
        let h = swish(bn1(expand(x)));
        h = swish(bn2(tf.depthwiseConv2d(h, dw as tf.Tensor4D, stride, 'same')));
        const squeezed = tf.mean(h, [1, 2], true) as tf.Tensor4D;
        const gate = tf.sigmoid(tf.conv2d(swish(tf.conv2d(squeezed, seReduce as tf.Tensor4D, 1, 'same')), seExpand as tf.Tensor4D, 1, 'same'));
        h = bn3(project(tf.mul(h, gate)));
        return stride === 1 && cin === cout ? tf.add(h, x) : h;
      };
    };
    const stem = conv(3, 16, 3, 2);
    const stemBn = bn(16);
    this.layers.push((x) => swish(stemBn(stem(x))), mbconv(16, 16, 1), mbconv(16, 24, 2), mbconv(24, 24, 1));
    const head = conv(24, 64, 1, 1);
    const headBn = bn(64);
    this.layers.push((x) => swish(headBn(head(x))));
    this.dense = this.w([64, 1]);
    this.bias = this.constant(tf.zeros([1]));
  }

  logits(images: tf.Tensor4D): tf.Tensor2D {
    let h = images;
    for (const layer of this.layers) h = layer(h);
    return tf.add(tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, this.dense as tf.Tensor2D), this.bias);
  }
}

/** Images whose label is whether the red channel is brighter than the blue one. */
function data(batch: number, size: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomUniform([batch, size, size, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const y = tf.cast(tf.greater(tf.mean(x.slice([0, 0, 0, 0], [-1, -1, -1, 1]), [1, 2, 3]), tf.mean(x.slice([0, 0, 0, 2], [-1, -1, -1, 1]), [1, 2, 3])), 'float32').reshape([batch, 1]) as tf.Tensor2D;
    return { x, y };
  });
}

async function train(strategy: CpuStrategy, steps: number, batch: number, size: number): Promise<{ losses: number[]; msPerStep: number }> {
  await strategy.setup();
  const net = strategy.scope(() => new MbConvStack());
  const optimizer = tf.train.adam(1e-2);
  const { x, y } = data(batch, size);
  const losses: number[] = [];
  const before = tf.memory().numTensors;
  let started = 0;
  for (let step = 0; step < steps; step++) {
    if (step === 1) started = performance.now();
    const loss = await strategy.runStep(() => optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, net.logits(x)), true, net.params)!);
    losses.push((await strategy.read(loss))[0]);
    loss.dispose();
  }
  const msPerStep = (performance.now() - started) / Math.max(1, steps - 1);
  // Adam's state is made on the first step; after that nothing may accumulate.
  const leaked = tf.memory().numTensors - before;
  optimizer.dispose();
  tf.dispose([x, y, ...net.params]);
  assert.ok(leaked <= net.params.length * 2 + 2, `tensors grew by ${leaked} over ${steps} steps`);
  await strategy.teardown();
  return { losses, msPerStep };
}

describe('an MBConv stack on the native engine', () => {
  it('trains at 64x64, batch 8: the loss falls over 8 steps', { skip: notBuilt, timeout: 120_000 }, async (t) => {
    const { losses, msPerStep } = await train(new CpuStrategy({ engine: 'native' }), 8, 8, 64);
    t.diagnostic(`mbconv stack 8x64x64x3 on the native engine: ${msPerStep.toFixed(0)} ms/step, losses ${losses.map((l) => l.toFixed(4)).join(' ')}`);
    assert.ok(losses.every(Number.isFinite), `non-finite loss: ${losses}`);
    assert.ok(losses[losses.length - 1] < losses[0] * 0.9, `loss did not fall: ${losses}`);
  });

  it('matches tfjs-backend-cpu over the first steps (32x32, batch 2)', { skip: notBuilt, timeout: 120_000 }, async () => {
    const native = await train(new CpuStrategy({ engine: 'native' }), 2, 2, 32);
    const js = await train(new CpuStrategy({ engine: 'js' }), 2, 2, 32);
    native.losses.forEach((loss, i) => assert.ok(Math.abs(loss - js.losses[i]) < 1e-3, `step ${i}: native ${loss} vs js ${js.losses[i]}`));
  });
});
