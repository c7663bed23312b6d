import * as tf from '@tensorflow/tfjs-core';
import type { StepTracer } from '@strata/core';
import type { TensorRecord } from '../lazy/graph-types.js';
import type { XlaBackend } from '../lazy/xla-backend.js';

/** Host work of a traced step that its replays do again, in the order the step did it. */
export type TraceEvent =
  | { readonly kind: 'dynamic'; readonly read: () => number; readonly dtype: 'float32' | 'int32'; readonly record: TensorRecord }
  | { readonly kind: 'effect'; readonly effect: () => void }
  | { readonly kind: 'delivery'; readonly deliver: (t: tf.Tensor) => void; readonly record: TensorRecord };

/**
 * The `StepTracer` of a compiled step's trace: keeps the dynamic scalars, host effects and
 * deliveries the step makes, with the lazy backend's records of their tensors, and the reasons
 * (if any) why the step cannot be replayed.
 */
export class StepRecorder implements StepTracer {
  readonly events: TraceEvent[] = [];
  /** Why a replay would differ from running the step (empty: it would not). */
  readonly refusals: string[] = [];
  private readonly held: tf.Tensor[] = [];

  constructor(private readonly backend: XlaBackend) {}

  onDynamicScalar(tensor: tf.Scalar, read: () => number): void {
    const record = this.recordOf(tensor);
    if (record !== undefined) this.events.push({ kind: 'dynamic', read, dtype: tensor.dtype === 'int32' ? 'int32' : 'float32', record });
  }

  onHostEffect(effect: () => void): void {
    this.events.push({ kind: 'effect', effect });
  }

  onStepOutput(tensor: tf.Tensor, deliver: (t: tf.Tensor) => void): void {
    const record = this.recordOf(tensor);
    if (record === undefined) return;
    this.events.push({ kind: 'delivery', deliver, record });
    // Held until the step is cut, so that the value is a result of the program even when
    // `deliver` kept nothing this time (a step-level log on a step that does not send one).
    this.held.push(tf.keep(tensor.clone()));
  }

  /** Lets go of the values held for the cut. */
  release(): void {
    tf.dispose(this.held.splice(0));
  }

  onRefuseReplay(reason: string): void {
    if (!this.refusals.includes(reason)) this.refusals.push(reason);
  }

  /** The records of the dynamic scalars: each keeps an argument of its own. */
  dynamicRecords(): TensorRecord[] {
    return this.events.flatMap((e) => (e.kind === 'dynamic' ? [e.record] : []));
  }

  private recordOf(tensor: tf.Tensor): TensorRecord | undefined {
    const record = this.backend.recordOf(tensor.dataId);
    if (record === undefined) this.onRefuseReplay(`a tensor handed to the host (${tensor.dtype}[${tensor.shape.join(', ')}]) is not on the xla backend`);
    return record;
  }
}
