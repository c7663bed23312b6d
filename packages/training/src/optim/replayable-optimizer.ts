import type * as tf from '@tensorflow/tfjs-core';
import { hostEffect } from '@strata/core';

/**
 * An optimizer written for compiled steps: the host values its update reads (learning rate,
 * bias corrections) are `dynamicScalar`s and its host state changes (the iteration count) go
 * through `hostEffect`, so a replayed step updates exactly as a traced one. FlatAdam is one.
 */
export interface ReplayableOptimizer {
  readonly replayable: true;
  /** Makes the optimizer's state for `variables` before the first step (Keras' `build`). */
  build?(variables: readonly tf.Variable[]): void;
}

/** Lets an optimizer that can make its state up front (FlatAdam) do so before a step. */
export function buildOptimizer(optimizer: tf.Optimizer, variables: readonly tf.Variable[]): void {
  const o = optimizer as unknown as Partial<ReplayableOptimizer>;
  if (o.replayable === true && typeof o.build === 'function') o.build(variables);
}

function isReplayable(optimizer: tf.Optimizer): boolean {
  return (optimizer as unknown as Partial<ReplayableOptimizer>).replayable === true;
}

interface CountsIterations {
  incrementIterations(): void;
}

/**
 * Applies gradients inside a step. A tfjs optimizer counts its iterations on the host, which a
 * replay would not: the count it added is recorded as a host effect, so a replay adds it too.
 */
export function applyOptimizer(optimizer: tf.Optimizer, grads: tf.NamedTensorMap): void {
  if (isReplayable(optimizer)) {
    optimizer.applyGradients(grads);
    return;
  }
  const before = optimizer.iterations;
  optimizer.applyGradients(grads);
  const added = optimizer.iterations - before;
  if (added > 0) {
    hostEffect(() => {
      for (let i = 0; i < added; i++) (optimizer as unknown as CountsIterations).incrementIterations();
    }, true);
  }
}

/**
 * The part of a step's key that the optimizer decides. tfjs's optimizers make their learning
 * rate a constant of the step, so a new rate (a scheduler) is a new trace; the program stays
 * the same (the rate is one of its arguments), so nothing compiles again.
 */
export function optimizerKey(optimizer: tf.Optimizer): string {
  if (isReplayable(optimizer)) return optimizer.getClassName();
  const lr = (optimizer as unknown as { learningRate?: unknown }).learningRate;
  return `${optimizer.getClassName()}:${typeof lr === 'number' ? lr : ''}`;
}
