import type * as tf from '@tensorflow/tfjs-core';
import type { CompileStepOptions, CompiledStep, DistributionStrategy } from '@strata/core';

type StepDispatch = NonNullable<CompileStepOptions['dispatch']>;

/**
 * One of the Trainer's steps (training, validation, prediction): compiled once per strategy
 * where the strategy compiles steps and `compileSteps` is on, otherwise run through
 * `runStep` at every call. `fn` takes everything that changes from call to call in `inputs`;
 * `key` names the host decisions that change the step's structure.
 */
export class TrainerStep<I extends tf.TensorContainer, O extends tf.TensorContainer> {
  private compiled: { readonly strategy: DistributionStrategy; readonly replay: boolean; readonly dispatch: StepDispatch; readonly step: CompiledStep<I, O> } | null = null;

  /**
   * @param dispatch 'asynchronous' where the loop reads the step's outputs later (replays then
   *   overlap the running step); see CompileStepOptions.dispatch.
   */
  constructor(
    private readonly name: string,
    private readonly fn: (inputs: I) => O,
    private readonly enabled: () => boolean,
    private readonly dispatch: () => StepDispatch = () => 'synchronous',
  ) {}

  run(strategy: DistributionStrategy, inputs: I, key: string): Promise<O> {
    if (strategy.compileStep === undefined || !strategy.capabilities().compilesSteps) return strategy.runStep(() => this.fn(inputs));
    // Off, the step is traced at every call: the same programs, without the replays.
    const replay = this.enabled();
    const dispatch = this.dispatch();
    if (this.compiled?.strategy !== strategy || this.compiled.replay !== replay || this.compiled.dispatch !== dispatch) {
      this.compiled = { strategy, replay, dispatch, step: strategy.compileStep(this.fn, { name: this.name, replay, dispatch }) };
    }
    return this.compiled.step(inputs, key);
  }
}
