import * as tf from '@tensorflow/tfjs-core';

/**
 * What a compiled step records while it traces: the host values it reads afresh at every
 * replay, the host code it runs again, and the tensors it hands to host code. A strategy that
 * compiles steps (`capabilities().compilesSteps`) installs one around the trace; elsewhere the
 * functions below simply compute, run and hand over.
 */
export interface StepTracer {
  /** A scalar made from `read()`: a replay calls `read` again and passes its value as an argument. */
  onDynamicScalar(tensor: tf.Scalar, read: () => number): void;
  /** Host code with an effect (a counter, a list): a replay runs it again, in the same order. */
  onHostEffect(effect: () => void): void;
  /** A tensor the step hands to host code: a replay hands over the replayed value instead. */
  onStepOutput(tensor: tf.Tensor, deliver: (tensor: tf.Tensor) => void): void;
  /** The step does host work a replay cannot repeat: it runs traced every time instead. */
  onRefuseReplay(reason: string): void;
}

let active: StepTracer | null = null;

/** Runs `fn` with `tracer` recording; the previous tracer comes back afterwards. */
export function withStepTracer<T>(tracer: StepTracer | null, fn: () => T): T {
  const previous = active;
  active = tracer;
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/** True while a strategy traces a step to replay it. */
export function isTracingStep(): boolean {
  return active !== null;
}

/**
 * A scalar whose value the host computes at every step (a learning rate, a bias correction, a
 * loss scale). Outside a compiled step it is `tf.scalar(read(), dtype)`; inside one the
 * replayed program takes it as an argument whose value `read()` gives at each replay, where a
 * plain number would stay the value it had when the step was traced (as Python numbers do
 * in `jax.jit`).
 *
 * @example
 * const lr = dynamicScalar(() => this.learningRate);
 * variable.assign(tf.sub(variable, tf.mul(grad, lr)));
 */
export function dynamicScalar(read: () => number, dtype: 'float32' | 'int32' = 'float32'): tf.Scalar {
  const tensor = tf.scalar(read(), dtype);
  active?.onDynamicScalar(tensor, read);
  return tensor;
}

/**
 * Runs host code that a step's replay must run again (a step counter, a list the step appends
 * to). `alreadyRan`: the effect happened already (in code that cannot call this, such as a
 * tfjs optimizer counting its iterations), and is only recorded for the replays.
 *
 * @example
 * hostEffect(() => this.count++);
 */
export function hostEffect(effect: () => void, alreadyRan = false): void {
  if (!alreadyRan) effect();
  active?.onHostEffect(effect);
}

/**
 * Hands a tensor computed in the step to host code that keeps it (a logged value). A replay
 * calls `deliver` with the replayed value; `deliver` keeps what it needs (`tf.keep`, a clone),
 * as the step's own scope disposes the tensor afterwards in both cases.
 *
 * @example
 * stepOutput(loss, (t) => this.queue.push(tf.keep(t.clone())));
 */
export function stepOutput<T extends tf.Tensor>(tensor: T, deliver: (tensor: T) => void): void {
  deliver(tensor);
  active?.onStepOutput(tensor, deliver as (tensor: tf.Tensor) => void);
}

/**
 * Says that the step being traced does host work its replay could not repeat (a plain number
 * logged from inside it, for example): the strategy then traces that step every time, with
 * one warning that gives `reason`. Outside a trace it does nothing.
 */
export function refuseReplay(reason: string): void {
  active?.onRefuseReplay(reason);
}
