import * as tf from '@tensorflow/tfjs-core';
import { StrataError, quote } from '../errors.js';
import { dynamicScalar, refuseReplay } from '../step-trace.js';
import { backendDrawsRandomNumbers, randomUniformFromSeed } from './random-uniform.js';

/**
 * A new dropout seed, a non-negative int32, from Math.random: after `seedEverything` that is
 * Strata's seeded global generator, so the seeds (and masks) repeat under the same seed and
 * continue from a checkpoint's saved state.
 */
export function nextDropoutSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/**
 * Inverted dropout as tfjs's `tf.dropout`: `x * floor(u + keep) / keep` with u uniform in
 * [0, 1) and keep = 1 - rate, so each element (or each slice along the dimensions where
 * `noiseShape` is 1) is kept with probability `keep` and scaled by 1 / keep. The mask's seed is
 * a `dynamicScalar` drawn from the global generator (`nextDropoutSeed`): where the backend draws
 * random numbers on its devices (the xla backend), a compiled step takes the seed as an argument
 * and draws a new mask at every replay; elsewhere the mask is drawn on the host from that seed
 * (and a step being traced there is refused replay, so it is traced every time).
 *
 * @param noiseShape the mask's shape, broadcast over x: each entry x's size or 1 (null takes
 *   x's size), such as [batch, 1, 1, 1] to drop whole samples (drop-connect).
 * @example
 * const y = dropout(x, 0.2, [x.shape[0], 1, 1, 1]);
 */
export function dropout(x: tf.Tensor, rate: number, noiseShape?: readonly (number | null)[]): tf.Tensor {
  checkInput(x, rate);
  const maskShape = noiseShapeOf(x, noiseShape);
  if (rate === 0) return x.clone();
  const keep = 1 - rate;
  return tf.tidy(() => {
    const u = randomUniformFromSeed(maskShape, drawSeed());
    const mask = tf.div(tf.floor(tf.add(u, keep)), keep);
    return tf.mul(x, mask);
  });
}

/**
 * The mask's seed: a step argument where the backend draws, a host number elsewhere. A traced
 * step on a backend that draws on the host is refused replay (it is traced every time), since
 * a replay would reuse the traced mask.
 */
function drawSeed(): number | tf.Scalar {
  if (backendDrawsRandomNumbers()) return dynamicScalar(nextDropoutSeed, 'int32');
  refuseReplay(`dropout draws its mask on the host on the tfjs backend ${quote(tf.getBackend())}, and a replay would reuse the traced mask`);
  return nextDropoutSeed();
}

function checkInput(x: tf.Tensor, rate: number): void {
  if (!(x instanceof tf.Tensor) || x.dtype !== 'float32') {
    const received = x instanceof tf.Tensor ? `a ${x.dtype} tensor` : quote(x);
    throw new StrataError('bad-input', `dropout: x must be a float32 tensor; received ${received}`, {
      value: x,
      fix: "cast it first: tf.cast(x, 'float32')",
    });
  }
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new StrataError('bad-input', `dropout: rate must be a number in [0, 1); received ${quote(rate)}`, {
      value: rate,
      fix: 'pass the fraction of values to drop, such as 0.2',
    });
  }
}

function noiseShapeOf(x: tf.Tensor, noiseShape: readonly (number | null)[] | undefined): number[] {
  if (noiseShape === undefined) return [...x.shape];
  const fits =
    Array.isArray(noiseShape) &&
    noiseShape.length === x.rank &&
    noiseShape.every((d, i) => d === null || d === 1 || d === x.shape[i]);
  if (!fits) {
    throw new StrataError('bad-input', `dropout: noiseShape ${quote(noiseShape)} does not fit x's shape ${quote(x.shape)}`, {
      value: noiseShape,
      fix: `give ${x.rank} entries, one per dimension of x: x's size there, 1 (one mask value along it) or null (x's size)`,
    });
  }
  return noiseShape.map((d, i) => (d === null ? x.shape[i]! : d));
}
