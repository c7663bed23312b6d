import * as tf from '@tensorflow/tfjs-core';
import type { Loader } from '../loader.js';

/**
 * The first `max` batches of `loader`, each with its index. The batch that comes after them is
 * disposed unused and the loader is closed, as a `break` out of its loop would.
 */
export async function* firstBatches<B extends tf.TensorContainer>(loader: Loader<B>, max: number): AsyncGenerator<[number, B]> {
  let index = 0;
  for await (const raw of loader) {
    if (index >= max) {
      tf.dispose(raw);
      return;
    }
    yield [index++, raw];
  }
}
