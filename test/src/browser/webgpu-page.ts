// Runs in a browser page (bundled by webgpu-browser.test.ts): WebGpuStrategy on navigator.gpu
// trains a few Adam steps of a small convnet, checked against tfjs's CPU backend in the same
// page, then a shader that does not compile must fail the step. Posts what it saw to /result.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { StrataError } from '@strata/core';
import { WebGpuStrategy } from '@strata/backend-webgpu';

const STEPS = 4;

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647 - 0.5;
  };
}

function makeVars(): tf.Variable[] {
  const next = seeded(11);
  const v = (shape: number[], scale: number) => tf.variable(tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => scale * next()), shape));
  return [v([3, 3, 3, 8], 0.5), v([3, 3, 8, 1], 0.5), v([8, 1], 0.5), v([1], 0)];
}

function loss([conv, dw, dense, bias]: tf.Variable[], x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar {
  const h = tf.relu(tf.conv2d(x, conv as tf.Tensor4D, 2, 'same'));
  const d = tf.mul(tf.depthwiseConv2d(h, dw as tf.Tensor4D, 1, 'same'), tf.sigmoid(h));
  return tf.losses.sigmoidCrossEntropy(y, tf.add(tf.matMul(tf.mean(d, [1, 2]), dense), bias)) as tf.Scalar;
}

function data(step: number): { x: number[]; y: number[] } {
  const next = seeded(100 + step);
  const y = [0, 1, 0, 1];
  const x: number[] = [];
  for (let n = 0; n < 4; n++) for (let i = 0; i < 8 * 8 * 3; i++) x.push((Math.floor(i / 3) % 8 < 4) === (y[n] === 1) ? 0.8 + 0.3 * next() : 0.2 + 0.3 * next());
  return { x, y };
}

async function train(run: (f: () => tf.Scalar) => Promise<tf.Scalar>, read: (t: tf.Tensor) => Promise<ArrayLike<number>>, vars: tf.Variable[]): Promise<number[]> {
  const optimizer = tf.train.adam(0.05);
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const { x, y } = data(step);
    const value = await run(() => optimizer.minimize(() => loss(vars, tf.tensor4d(x, [4, 8, 8, 3]), tf.tensor2d(y, [4, 1])), true, vars)!);
    losses.push((await read(value))[0]);
    value.dispose();
  }
  optimizer.dispose();
  tf.dispose(vars);
  return losses;
}

const result: Record<string, unknown> = {};
try {
  const strategy = new WebGpuStrategy();
  result.availability = await strategy.isAvailable();
  await tf.setBackend('cpu');
  result.cpuLosses = await train(async (f) => tf.tidy(f), (t) => t.data(), makeVars());
  await strategy.setup();
  result.describe = strategy.describe();
  result.syncReads = strategy.capabilities().syncReads;
  result.webgpuLosses = await train((f) => strategy.runStep(f), (t) => strategy.read(t), strategy.scope(makeVars));
  const x = tf.ones([4, 4]);
  try {
    await strategy.runStep(() => {
      const program = {
        variableNames: ['x'], outputShape: [4, 4], shaderKey: 'strataBrowserBroken', dispatchLayout: { x: [0, 1] },
        dispatch: [1, 1, 1], workgroupSize: [64, 1, 1], size: true,
        getUserCode: () => 'fn main() { let broken : f32 = this_is_not_wgsl; }',
      };
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const info = (tf.backend() as any).runWebGPUProgram(program, [x], 'float32');
      return tf.engine().makeTensorFromTensorInfo(info);
    });
    result.brokenShader = 'no error';
  } catch (error) {
    result.brokenShader = error instanceof StrataError ? { kind: error.kind, message: error.message } : String(error);
  }
  x.dispose();
  await strategy.teardown();
} catch (error) {
  result.error = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
}
await fetch('/result', { method: 'POST', body: JSON.stringify(result) });
