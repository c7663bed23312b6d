import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '@strata/training';

/** A variable with Glorot-scaled values drawn from a seeded generator: equal on every backend. */
export function seededVariable(random: SeededRandom, shape: number[], name: string, fanIn: number, fanOut: number): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const scale = Math.sqrt(2 / (fanIn + fanOut));
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = random.nextNormal() * scale;
  return tf.variable(tf.tensor(values, shape), true, name);
}

/** A zero-initialised variable (biases). */
export function zerosVariable(shape: number[], name: string): tf.Variable {
  return tf.variable(tf.zeros(shape), true, name);
}
