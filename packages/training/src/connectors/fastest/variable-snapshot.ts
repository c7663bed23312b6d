import * as tf from '@tensorflow/tfjs-core';

/** Reads a tensor to the host through a strategy (`strategy.read`). */
export type ReadTensor = (tensor: tf.Tensor) => Promise<Float32Array | Int32Array | Uint8Array>;

interface SavedVariable {
  readonly variable: tf.Variable;
  readonly values: Float32Array | Int32Array | Uint8Array;
}

/**
 * The values of every variable alive in the tfjs engine, kept on the host, so that measuring
 * training steps on several strategies leaves the weights exactly as they were. All variables,
 * not only the module's trainable ones: a training step also moves non-trainable state such as
 * batch-norm running statistics.
 */
export class VariableSnapshot {
  private readonly saved = new Map<string, SavedVariable>();

  /** Saves the variables not saved yet (those a first step built lazily, on a later call). */
  async addMissing(read: ReadTensor): Promise<void> {
    for (const variable of Object.values(tf.engine().registeredVariables)) {
      if (this.saved.has(variable.name)) continue;
      this.saved.set(variable.name, { variable, values: (await read(variable)).slice() });
    }
  }

  get size(): number {
    return this.saved.size;
  }

  /**
   * Writes the saved values back into their variables, as new tensors on the active backend:
   * call it inside a strategy's scope to move the variables onto that strategy. Variables
   * disposed since are skipped.
   */
  restore(): void {
    tf.tidy(() => {
      for (const { variable, values } of this.saved.values()) {
        if (variable.isDisposed) continue;
        variable.assign(tf.tensor(values, variable.shape, variable.dtype));
      }
    });
  }
}
