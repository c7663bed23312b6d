import * as tf from '@tensorflow/tfjs-core';
import type { TensorRecord } from '../lazy/graph-types.js';
import type { XlaBackend } from '../lazy/xla-backend.js';
import type { ParamSource, ReplayPlan } from './replay-plan.js';
import type { Leaf } from './step-leaves.js';

/**
 * Redoes one step's host work in the plan's order: reads its dynamic scalars and, unless
 * `effects` is false (a shadow run), runs its host effects. Returns the values read, by event.
 */
export function redoHostWork(plan: ReplayPlan, effects: boolean): Map<number, number> {
  const read = new Map<number, number>();
  plan.events.forEach((e, i) => {
    if (e.kind === 'dynamic') read.set(i, e.read());
    else if (e.kind === 'effect' && effects) e.effect();
  });
  return read;
}

/**
 * Whether an argument may go by value with the Execute: inputs and dynamic scalars change at
 * every call; constants and tensors made before the step are uploaded once and stay.
 */
export function changesEveryCall(source: ParamSource): boolean {
  return source.kind !== 'constant' && source.kind !== 'persistent';
}

/** The tensor records a replay passes as arguments, with the host scalars it made for them. */
export class ReplayArguments {
  private readonly temporaries: TensorRecord[] = [];

  constructor(
    private readonly backend: XlaBackend,
    private readonly plan: ReplayPlan,
  ) {}

  /**
   * The record for one argument: an input leaf of the step (a number becomes a scalar), a
   * dynamic scalar's value as read for this step, a variable's current buffer, or a constant.
   */
  recordOf(source: ParamSource, leaves: readonly Leaf[], dynamic: ReadonlyMap<number, number>): TensorRecord {
    switch (source.kind) {
      case 'input': {
        const leaf = leaves[source.leaf];
        return leaf instanceof tf.Tensor ? this.backend.recordOf(leaf.dataId)! : this.scalar(leaf as number, 'float32');
      }
      case 'dynamic': {
        const event = this.plan.events[source.event];
        return this.scalar(dynamic.get(source.event)!, event.kind === 'dynamic' ? event.dtype : 'float32');
      }
      case 'variable':
        return this.backend.recordOf(source.variable.dataId)!;
      case 'constant':
      case 'persistent':
        return source.record;
    }
  }

  /** Drops the host scalars made for the arguments (the Execute has taken their values). */
  drop(): void {
    for (const r of this.temporaries) this.backend.dropRecord(r);
    this.temporaries.length = 0;
  }

  private scalar(value: number, dtype: 'float32' | 'int32'): TensorRecord {
    const r = this.backend.hostRecord(dtype === 'int32' ? Int32Array.of(value) : Float32Array.of(value), [], dtype);
    this.temporaries.push(r);
    return r;
  }
}

/** Hands delivered results to their host code in the order given and disposes them. */
export function deliverInOrder(plan: ReplayPlan, delivered: readonly { readonly event: number; readonly tensor: tf.Tensor }[]): void {
  for (const { event, tensor } of delivered) {
    const e = plan.events[event];
    if (e.kind === 'delivery') e.deliver(tensor);
    tensor.dispose();
  }
}
