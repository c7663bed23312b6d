import * as tf from '@tensorflow/tfjs-core';

/**
 * Gradients of Sum and Mean that broadcast dy with one Tile instead of multiplying it by
 * `ones(x.shape)`, as tfjs-core's own do. Theirs build the ones on the host (a typed array
 * the size of x, filled in JavaScript) and send it to the device every step: for the batch
 * statistics and pooling of a convnet that is tens of megabytes a step, on every backend,
 * and on the TPU strategy each one is scanned before it becomes a constant of the program.
 * The values are the same: dy * 1 is dy, and Mean divides the same dy by the same count.
 */
export const sumGradient: tf.GradConfig = reductionGradient(tf.Sum, false);
export const meanGradient: tf.GradConfig = reductionGradient(tf.Mean, true);

/** The gradient of a sum over `axis`, divided by the reduced count for a mean. */
function reductionGradient(kernelName: string, mean: boolean): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const axes = tf.util.parseAxisParam((attrs as unknown as tf.SumAttrs).axis, x.shape);
      const count = axes.reduce((n, axis) => n * x.shape[axis], 1);
      const grad = asFloat(dy as tf.Tensor);
      return { x: () => broadcastOver(mean ? tf.div(grad, count) : grad, x.shape, axes) };
    },
  };
}

/** dy, reduced over `axes`, spread back over them to `shape`. */
function broadcastOver(dy: tf.Tensor, shape: readonly number[], axes: readonly number[]): tf.Tensor {
  const kept = shape.map((size, axis) => (axes.includes(axis) ? 1 : size));
  return tf.broadcastTo(tf.reshape(dy, kept), shape as number[]);
}

/** tfjs's gradients are float32 whatever dy is (they multiply by float32 ones). */
function asFloat(t: tf.Tensor): tf.Tensor {
  return t.dtype === 'float32' ? t : tf.cast(t, 'float32');
}

/** Replaces tfjs-core's Sum and Mean gradients for every backend. */
export function registerReductionGradients(): void {
  tf.registerGradient(sumGradient);
  tf.registerGradient(meanGradient);
}
