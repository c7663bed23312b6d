import type * as tf from '@tensorflow/tfjs-core';
import type { DistributionStrategy } from '@strata/core';

/**
 * A strategy's traced-once-and-replayed step, where it has one (`compileStep` of the XLA
 * strategies with compiled steps): the shape the bench calls, read without naming the method in
 * the types, so that the bench builds against strategies that predate it.
 */
type CompileStep = <I extends tf.TensorContainer, O extends tf.TensorContainer>(fn: (inputs: I) => O, options?: { readonly name?: string }) => (inputs: I, key?: string) => Promise<O>;

/** How the worker runs a step: 'compiled' through `compileStep`, or 'traced' through `runStep` every step. */
export type StepMode = 'compiled' | 'traced';

/**
 * The function that runs one training step of `fn` on `inputs`: the strategy's compiled step
 * where `compile` is 'auto' and the strategy compiles steps (its capabilities say so and it has
 * `compileStep`), else `runStep(() => fn(inputs))`, as the Trainer chooses.
 */
export function stepRunner<I extends tf.TensorContainer, O extends tf.TensorContainer>(
  strategy: DistributionStrategy,
  fn: (inputs: I) => O,
  compile: 'auto' | 'off',
): { readonly mode: StepMode; readonly run: (inputs: I) => Promise<O> } {
  const compiling = strategy as DistributionStrategy & { compileStep?: CompileStep };
  if (compile === 'auto' && typeof compiling.compileStep === 'function' && strategy.capabilities().compilesSteps) {
    const compiled = compiling.compileStep<I, O>(fn, { name: 'bench training step' });
    return { mode: 'compiled', run: (inputs) => compiled(inputs) };
  }
  return { mode: 'traced', run: (inputs) => strategy.runStep(() => fn(inputs)) };
}
