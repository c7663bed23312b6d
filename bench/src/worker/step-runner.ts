import type * as tf from '@tensorflow/tfjs-core';
import type { DistributionStrategy } from '@strata/core';

/**
 * A strategy's traced-once-and-replayed step, where it has one (`compileStep` of the XLA
 * strategies with compiled steps): the shape the bench calls, read without naming the method in
 * the types, so that the bench builds against strategies that predate it.
 */
type CompileStep = <I extends tf.TensorContainer, O extends tf.TensorContainer>(
  fn: (inputs: I) => O,
  options?: { readonly name?: string },
) => ((inputs: I, key?: string) => Promise<O>) & { readonly many?: (inputs: readonly I[], key?: string) => Promise<O[]> };

/** How the worker runs a step: 'compiled' through `compileStep`, or 'traced' through `runStep` every step. */
export type StepMode = 'compiled' | 'traced';

/**
 * The function that runs training steps of `fn`, one for each of `inputs`: the strategy's
 * compiled step where `compile` is 'auto' and the strategy compiles steps (its capabilities say
 * so and it has `compileStep`), else `runStep(() => fn(inputs))` a step, as the Trainer
 * chooses. Several inputs run in one execution where the compiled step has `many`.
 */
export function stepRunner<I extends tf.TensorContainer, O extends tf.TensorContainer>(
  strategy: DistributionStrategy,
  fn: (inputs: I) => O,
  compile: 'auto' | 'off',
): { readonly mode: StepMode; readonly run: (inputs: readonly I[]) => Promise<O[]> } {
  const compiling = strategy as DistributionStrategy & { compileStep?: CompileStep };
  const oneByOne = async (inputs: readonly I[], step: (x: I) => Promise<O>) => {
    const out: O[] = [];
    for (const x of inputs) out.push(await step(x));
    return out;
  };
  if (compile === 'auto' && typeof compiling.compileStep === 'function' && strategy.capabilities().compilesSteps) {
    const compiled = compiling.compileStep<I, O>(fn, { name: 'bench training step' });
    const many = compiled.many;
    return { mode: 'compiled', run: (inputs) => (inputs.length > 1 && many ? many(inputs) : oneByOne(inputs, compiled)) };
  }
  return { mode: 'traced', run: (inputs) => oneByOne(inputs, (x) => strategy.runStep(() => fn(x))) };
}
