import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadNativeEngine } from '../native-engine.js';
import { depthwiseFilterGradKernel, dilatedDepthwiseSupported, prefersForwardForm } from './DepthwiseConv2dNativeBackpropFilter.js';
import { NATIVE_BACKEND_NAME, type NativeBackend } from './native-backend.js';
import { registerNativeKernel } from './register-native-kernel.js';
import { registerNativeKernels, tfjsNodeKernel } from './register-kernels.js';
import { compareWithCpu, kernelsOff, notBuilt, values } from '../testing/kernel-check.js';

type Pad = 'same' | 'valid';

/** The filter gradient (and the input gradient, which stays tfjs-node's) of one depthwise layer. */
function depthwiseGrads(shape: [number, number, number, number], k: number, stride: number, pad: Pad, multiplier = 1): () => tf.Tensor[] {
  return () => {
    const [n, h, w, c] = shape;
    const x = tf.tensor4d(values(n * h * w * c, h * 31 + k), shape);
    const filter = tf.tensor4d(values(k * k * c * multiplier, c + stride), [k, k, c, multiplier]);
    const conv = (input: tf.Tensor, f: tf.Tensor) => tf.depthwiseConv2d(input as tf.Tensor4D, f as tf.Tensor4D, stride, pad);
    const dyShape = conv(x, filter).shape;
    const weights = tf.tensor(values(dyShape.reduce((a, b) => a * b, 1), 99), dyShape);
    return tf.grads((input: tf.Tensor, f: tf.Tensor) => tf.sum(tf.mul(conv(input, f), weights)))([x, filter]);
  };
}

/**
 * The layouts the forward form covers: strides 1 and 2, SAME with even and uneven padding, VALID
 * (sliced). (Numeric padding never reaches it: tfjs-node's forward depthwise refuses it.)
 */
const CASES: readonly { name: string; shape: [number, number, number, number]; k: number; stride: number; pad: Pad }[] = [
  { name: '5x5, stride 1, SAME, 4x4 map', shape: [3, 4, 4, 5], k: 5, stride: 1, pad: 'same' },
  { name: '5x5, stride 2, SAME, 4x4 map', shape: [3, 4, 4, 5], k: 5, stride: 2, pad: 'same' },
  { name: '5x5, stride 2, SAME, 7x5 map (uneven padding)', shape: [2, 7, 5, 3], k: 5, stride: 2, pad: 'same' },
  { name: '3x3, stride 2, VALID, 8x8 map (result larger than the kernel)', shape: [2, 8, 8, 4], k: 3, stride: 2, pad: 'valid' },
  { name: '5x5, stride 1, SAME, 2x2 map (padding larger than the map)', shape: [4, 2, 2, 6], k: 5, stride: 1, pad: 'same' },
];

/**
 * Registers the kernel with a choice that always says yes and counts how often it was asked
 * (only layouts the forward form covers get asked). `after` puts the default back.
 */
async function forceForwardForm(): Promise<{ asked: () => number }> {
  await loadNativeEngine('cpu');
  const nodeKernel = tfjsNodeKernel(tf.DepthwiseConv2dNativeBackpropFilter);
  assert.ok(nodeKernel, "tfjs-node's DepthwiseConv2dNativeBackpropFilter is kept");
  let asked = 0;
  registerNativeKernel(depthwiseFilterGradKernel(nodeKernel, () => (asked++, true)));
  return { asked: () => asked };
}

describe('depthwise filter gradient as a forward convolution on the native engine', { skip: notBuilt || kernelsOff }, () => {
  after(() => registerNativeKernels());

  it('matches tfjs-cpu in every covered layout when forced on', async () => {
    const forced = await forceForwardForm();
    for (const c of CASES) {
      const before = forced.asked();
      await compareWithCpu(depthwiseGrads(c.shape, c.k, c.stride, c.pad), 1e-4).catch((error: Error) => {
        throw new Error(`${c.name}: ${error.message}`);
      });
      // A strided layer reaches the forward form only where TensorFlow's depthwise kernel takes dilations.
      const reachable = c.stride === 1 || dilatedDepthwiseSupported(tf.findBackend(NATIVE_BACKEND_NAME) as unknown as NativeBackend);
      assert.equal(forced.asked() > before, reachable, `${c.name}: the forward form ${reachable ? 'ran' : 'was skipped'}`);
    }
  });

  // (tfjs's depthwise gradient refuses dilations above 1 on every backend, so that fallback is not reachable from tf.grads.)
  it("falls back to tfjs-node's kernel for a channel multiplier", async () => {
    const forced = await forceForwardForm();
    await compareWithCpu(depthwiseGrads([2, 4, 4, 3], 5, 1, 'same', 2), 1e-4);
    assert.equal(forced.asked(), 0, 'a multiplier of 2 does not reach the forward form');
  });

  it("with the default choice, matches tfjs-cpu on EfficientNet-B0's 5x5 layer on a 4x4 map", async () => {
    registerNativeKernels();
    await compareWithCpu(depthwiseGrads([8, 4, 4, 16], 5, 1, 'same'), 1e-4);
  });

  it('prefers the forward form where it measured faster: 2x2 maps, 5x5 at stride 1, 5x5 at stride 2 down to 4x4', () => {
    const info = (map: number, k: number, stride: number) => tf.backend_util.computeConv2DInfo([32, map, map, 8], [k, k, 8, 1], stride, 1, 'same', undefined, true);
    const cases: [number, number, number, boolean][] = [
      [2, 3, 1, true],
      [2, 5, 1, true],
      [4, 5, 1, true],
      [4, 5, 2, true],
      [16, 5, 1, true],
      [32, 5, 1, true],
      [8, 5, 1, true],
      [8, 5, 2, true],
      [4, 3, 1, false],
      [32, 3, 1, false],
      [16, 5, 2, false],
      [32, 5, 2, false],
    ];
    for (const [map, k, stride, want] of cases) assert.equal(prefersForwardForm(info(map, k, stride)), want, `${map}x${map}, ${k}x${k}, stride ${stride}`);
  });
});
