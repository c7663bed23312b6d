import * as tf from '@tensorflow/tfjs-core';
import { StrataError, quote } from '../errors.js';

/**
 * A kernel tfjs has no name for: uniform float32 numbers in [0, 1) drawn from an int32 scalar
 * seed (input `seed`, attribute `shape`). A backend that draws random numbers on its devices
 * registers it (the xla backend lowers it to `stablehlo.rng_bit_generator`); on the others
 * `randomUniformFromSeed` draws on the host with tfjs's own generator.
 */
export const STRATA_RANDOM_UNIFORM = 'StrataRandomUniform';

/** Whether the active backend draws `randomUniformFromSeed`'s numbers itself, from a seed tensor. */
export function backendDrawsRandomNumbers(): boolean {
  return tf.getKernel(STRATA_RANDOM_UNIFORM, tf.getBackend()) !== undefined;
}

/**
 * Uniform float32 numbers in [0, 1) of `shape`, drawn from `seed`: the same seed gives the same
 * numbers on the same backend. Where the active backend has the `StrataRandomUniform` kernel,
 * the backend draws them from the seed as a tensor, so a compiled step whose seed is an argument
 * of the program draws new numbers at each replay; elsewhere tfjs's `tf.randomUniform` draws
 * them on the host with the seed as its seed (a seed tensor is then read synchronously, which
 * host backends allow). Backends use different generators, so the numbers of one seed differ
 * from one backend to another, as they do between jax's and PyTorch's devices.
 *
 * @example
 * const u = randomUniformFromSeed([2, 3], 42);
 */
export function randomUniformFromSeed(shape: readonly number[], seed: number | tf.Scalar): tf.Tensor {
  checkShape(shape);
  checkSeed(seed);
  if (backendDrawsRandomNumbers()) {
    return tf.tidy(() => {
      const seedTensor = typeof seed === 'number' ? tf.scalar(seed, 'int32') : seed;
      return tf.engine().runKernel(STRATA_RANDOM_UNIFORM, { seed: seedTensor }, { shape: [...shape] }) as tf.Tensor;
    });
  }
  const seedValue = typeof seed === 'number' ? seed : seed.dataSync()[0]!;
  return tf.randomUniform([...shape], 0, 1, 'float32', seedValue);
}

function checkShape(shape: readonly number[]): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new StrataError('bad-input', `randomUniformFromSeed: shape must be a list of non-negative integers; received ${quote(shape)}`, {
      value: shape,
      fix: 'pass the output shape as whole numbers, such as [batch, 1, 1, 1]',
    });
  }
}

function checkSeed(seed: number | tf.Scalar): void {
  if (typeof seed === 'number') {
    if (!Number.isInteger(seed) || seed < -(2 ** 31) || seed >= 2 ** 31) {
      throw new StrataError('bad-input', `randomUniformFromSeed: a seed number must be an int32 integer; received ${quote(seed)}`, {
        value: seed,
        fix: 'pass an integer in [-2147483648, 2147483647]',
      });
    }
    return;
  }
  if (!(seed instanceof tf.Tensor) || seed.rank !== 0 || seed.dtype !== 'int32') {
    const received = seed instanceof tf.Tensor ? `a ${seed.dtype} tensor of shape ${quote(seed.shape)}` : quote(seed);
    throw new StrataError('bad-input', `randomUniformFromSeed: seed must be a number or an int32 scalar tensor; received ${received}`, {
      value: seed,
      fix: "pass tf.scalar(seed, 'int32'), or the seed as a number",
    });
  }
}
