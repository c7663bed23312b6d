import * as tf from '@tensorflow/tfjs-core';

/**
 * True when `backend` (the active tfjs backend by default) compiles what a step records into
 * one program, as the XLA backend does: there every elementwise op fuses with its neighbours
 * and costs nothing of its own, so code written to save ops (one flat buffer for many tensors)
 * only adds copies. A backend says so with a `fusesWholeSteps` property set to true.
 */
export function fusesWholeSteps(backend: unknown = tf.backend()): boolean {
  return (backend as { fusesWholeSteps?: unknown } | null)?.fusesWholeSteps === true;
}
