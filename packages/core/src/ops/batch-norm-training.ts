import * as tf from '@tensorflow/tfjs-core';
import { StrataError, quote } from '../errors.js';
import { higherOrder } from '../gradients/gradient-overrides.js';

/**
 * Kernels tfjs has no name for: a training-mode batch norm (batch statistics and normalization
 * in one op) and its gradient. A backend with fused kernels registers them under these names
 * (the native engine); every other backend gets the composed kernel below on first use.
 */
export const STRATA_BATCH_NORM_TRAINING = 'StrataBatchNormTraining';
export const STRATA_BATCH_NORM_TRAINING_GRAD = 'StrataBatchNormTrainingGrad';

/** What a training-mode batch norm gives: the normalized input and the batch's statistics. */
export interface BatchNormTrainingResult {
  /** (x - mean) / sqrt(variance + epsilon) * scale + offset, shaped as x. */
  readonly y: tf.Tensor4D;
  /**
   * Per-channel mean over the batch and both spatial axes, [C]. It and `variance` are what a
   * layer's running averages are made from, and carry no gradient of their own: a loss
   * differentiates through `y` (which depends on them), as with PyTorch's batch norm.
   */
  readonly mean: tf.Tensor1D;
  /** Per-channel variance over the same axes, biased (divided by the count, as Keras and PyTorch normalize with), [C]. */
  readonly variance: tf.Tensor1D;
}

/**
 * A batch norm in training mode on NHWC float32 input: what tfjs-layers' BatchNormalization
 * computes while training (`tf.moments` over batch, height and width, then `tf.batchNorm`), as
 * one op with its own gradient. tfjs differentiates that composition op by op, about two dozen
 * full-size ops a layer backward; the gradient here is eight (see `yGradients`), or one fused
 * kernel where the backend has one (the native engine: TensorFlow's FusedBatchNormV3 and its
 * gradient with `is_training`, which PyTorch's and Keras's own batch norms also use). The
 * values and y's gradients are tfjs's to float rounding; the running averages a layer keeps for
 * inference are the caller's, from `mean` and `variance`.
 *
 * @example
 * const { y } = batchNormTraining(x, gamma, beta, 1e-3);
 */
export function batchNormTraining(x: tf.Tensor4D, scale: tf.Tensor1D, offset: tf.Tensor1D, epsilon = 1e-3): BatchNormTrainingResult {
  checkInputs(x, scale, offset, epsilon);
  const backendName = tf.getBackend();
  if (tf.getKernel(STRATA_BATCH_NORM_TRAINING, backendName) === undefined) tf.registerKernel(composedKernel(backendName));
  const [y, mean, variance] = tf.engine().runKernel(STRATA_BATCH_NORM_TRAINING, { x, scale, offset }, { varianceEpsilon: epsilon }) as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
  return { y: y!, mean: mean!, variance: variance! };
}

/**
 * The kernel for a backend without a fused one: tfjs-layers' own ops, run inside the kernel so
 * that the tape records one node with the gradient below instead of each op's.
 */
function composedKernel(backendName: string): tf.KernelConfig {
  return {
    kernelName: STRATA_BATCH_NORM_TRAINING,
    backendName,
    kernelFunc: ({ inputs, attrs }) => {
      const { x, scale, offset } = inputs as unknown as { x: tf.Tensor4D; scale: tf.Tensor1D; offset: tf.Tensor1D };
      return tf.tidy(() => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return [tf.batchNorm(x, mean, variance, offset, scale, attrs!.varianceEpsilon as number), mean, variance];
      });
    },
  };
}

function checkInputs(x: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor, epsilon: number): void {
  if (x.rank !== 4) {
    throw new StrataError('bad-input', `batchNormTraining: x must be NHWC, rank 4; received shape ${quote(x.shape)}`, {
      value: x.shape,
      fix: 'reshape x to [batch, height, width, channels] (a dense layer\'s [batch, features] as [batch, 1, 1, features])',
    });
  }
  if (x.dtype !== 'float32') {
    throw new StrataError('bad-input', `batchNormTraining: x must be float32; received ${quote(x.dtype)}`, { value: x.dtype, fix: "cast it first: tf.cast(x, 'float32')" });
  }
  const channels = x.shape[3];
  for (const [name, t] of [['scale', scale], ['offset', offset]] as const) {
    if (t.rank !== 1 || t.shape[0] !== channels) {
      throw new StrataError('bad-input', `batchNormTraining: ${name} must have shape [${channels}] (x's channels); received ${quote(t.shape)}`, {
        value: t.shape,
        fix: `pass one ${name} value per channel of x`,
      });
    }
  }
  if (!(epsilon > 0)) {
    throw new StrataError('bad-input', `batchNormTraining: epsilon must be a positive number; received ${quote(epsilon)}`, {
      value: epsilon,
      fix: 'pass a small positive epsilon such as 1e-3 (Keras) or 1e-5 (PyTorch)',
    });
  }
}

/**
 * The gradient of `batchNormTraining`, through y (the statistics carry none, see above): the
 * backend's gradient kernel when it has one, else `yGradients`.
 */
export const batchNormTrainingGradient: tf.GradConfig = {
  kernelName: STRATA_BATCH_NORM_TRAINING,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [x, scale, mean, variance] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
    // tfjs passes one dy per output, zeros for outputs the loss does not use.
    const dy = (Array.isArray(dys) ? dys[0] : dys) as tf.Tensor4D;
    const epsilon = attrs.varianceEpsilon as number;
    const fused = dy.dtype === 'float32' && !higherOrder() && tf.getKernel(STRATA_BATCH_NORM_TRAINING_GRAD, tf.getBackend()) !== undefined;
    const [dx, dscale, doffset] = fused
      ? (tf.engine().runKernel(STRATA_BATCH_NORM_TRAINING_GRAD, { dy, x, scale, mean, variance }, { varianceEpsilon: epsilon }) as tf.Tensor[])
      : yGradients(dy, x, scale, mean, variance, epsilon);
    return { x: () => dx!, scale: () => dscale!, offset: () => doffset! };
  },
};

/**
 * y's gradients in tfjs ops. With xc = x - mean, rstd = 1 / sqrt(var + eps), N values a channel:
 *   doffset = sum(dy),  dscale = rstd * sum(dy * xc),
 *   dx = scale * rstd * (dy - doffset / N - xc * rstd * dscale / N)
 *      = dy * A + xc * B + C,  with per-channel A = scale * rstd, B = -A * rstd * dscale / N,
 *                                   C = -A * doffset / N
 * which is eight full-size ops. Under an outer tape (a second derivative) the statistics are
 * computed again from x, since the saved ones carry no gradient.
 */
function yGradients(dy: tf.Tensor4D, x: tf.Tensor4D, scale: tf.Tensor1D, savedMean: tf.Tensor1D, savedVariance: tf.Tensor1D, epsilon: number): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  const axes = [0, 1, 2];
  const count = x.shape[0] * x.shape[1] * x.shape[2];
  const { mean, variance } = higherOrder() ? tf.moments(x, axes) : { mean: savedMean, variance: savedVariance };
  const rstd = tf.rsqrt(tf.add(variance, epsilon));
  const xc = tf.sub(x, mean);
  const doffset = tf.sum(dy, axes) as tf.Tensor1D;
  const dscale = tf.mul(rstd, tf.sum(tf.mul(dy, xc), axes)) as tf.Tensor1D;
  const a = tf.mul(scale, rstd);
  const b = tf.div(tf.mul(tf.mul(a, rstd), dscale), -count);
  const c = tf.div(tf.mul(a, doffset), -count);
  const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(xc, b)), c) as tf.Tensor4D;
  return [dx, dscale, doffset];
}

/** Registers the gradient (tfjs keeps one per kernel name, for every backend). */
export function registerBatchNormTrainingGradient(): void {
  tf.registerGradient(batchNormTrainingGradient);
}
