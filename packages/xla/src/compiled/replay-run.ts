import * as tf from '@tensorflow/tfjs-core';
import type { TensorRecord } from '../lazy/graph-types.js';
import type { XlaBackend } from '../lazy/xla-backend.js';
import type { ReplayPlan } from './replay-plan.js';
import type { Leaf } from './step-leaves.js';

/** What a replay gives back: the output tensors by leaf index, or (shadow) the result records. */
export interface ReplayResults {
  readonly outputs: readonly (tf.Tensor | undefined)[];
  /** Shadow runs only: one record per result, owned by the caller (`dropRecord`). */
  readonly records: readonly TensorRecord[];
}

/**
 * Replays a plan: redoes the step's host work in order (dynamic scalars read afresh, host
 * effects run), runs the program on the inputs and the variables' current buffers (donating
 * the old buffers of the variables it assigns), rebinds the variables, hands results to their
 * host code and returns the outputs. A `shadow` replay runs the program only: no host effect,
 * no donation, no rebinding, its results kept as records for a comparison. `asynchronous`: the
 * run is dispatched without waiting for its end (see CompileStepOptions.dispatch).
 */
export async function replayPlan(backend: XlaBackend, plan: ReplayPlan, leaves: readonly Leaf[], { shadow, asynchronous = false }: { shadow: boolean; asynchronous?: boolean }): Promise<ReplayResults> {
  const dynamic = new Map<number, number>();
  plan.events.forEach((e, i) => {
    if (e.kind === 'dynamic') dynamic.set(i, e.read());
    else if (e.kind === 'effect' && !shadow) e.effect();
  });
  if (plan.hash === '') return { outputs: [], records: [] };
  const temporaries: TensorRecord[] = [];
  const scalar = (value: number, dtype: 'float32' | 'int32') => {
    const r = backend.hostRecord(dtype === 'int32' ? Int32Array.of(value) : Float32Array.of(value), [], dtype);
    temporaries.push(r);
    return r;
  };
  const params = plan.params.map((p): TensorRecord => {
    switch (p.kind) {
      case 'input': {
        const leaf = leaves[p.leaf];
        return leaf instanceof tf.Tensor ? backend.recordOf(leaf.dataId)! : scalar(leaf as number, 'float32');
      }
      case 'dynamic': {
        const event = plan.events[p.event];
        return scalar(dynamic.get(p.event)!, event.kind === 'dynamic' ? event.dtype : 'float32');
      }
      case 'variable':
        return backend.recordOf(p.variable.dataId)!;
      case 'constant':
      case 'persistent':
        return p.record;
    }
  });
  const donate = (i: number) => {
    const p = plan.params[i];
    return !shadow && p.kind === 'variable' && plan.aliased.has(i) && plan.written.has(p.variable) && backend.holdsAlone(params[i]);
  };
  let result;
  try {
    // Inputs and dynamic scalars change at every call: they go by value when small. Constants
    // and tensors made before the step are uploaded once and stay.
    const literal = (i: number) => plan.params[i].kind !== 'constant' && plan.params[i].kind !== 'persistent';
    result = await backend.executeCompiled(plan.hash, params, literal, donate, asynchronous && !shadow);
  } finally {
    for (const r of temporaries) backend.dropRecord(r);
  }
  const { handles, values } = result;
  if (shadow) {
    const records = plan.results.map((slot, i) => backend.recordOf(backend.adoptResult(handles[i], values[i], slot.shape, slot.dtype))!);
    return { outputs: [], records };
  }
  const wrap = (i: number) => {
    const slot = plan.results[i];
    return tf.engine().makeTensorFromDataId(backend.adoptResult(handles[i], values[i], slot.shape, slot.dtype), slot.shape, slot.dtype, backend);
  };
  const outputs: tf.Tensor[] = [];
  const delivered = new Map<number, tf.Tensor>();
  plan.results.forEach((slot, i) => {
    for (const v of slot.variables) {
      const t = wrap(i);
      v.assign(t);
      t.dispose();
    }
    for (const leaf of slot.outputs) outputs[leaf] = wrap(i);
    for (const event of slot.deliveries) delivered.set(event, wrap(i));
  });
  for (const [event, t] of [...delivered].sort((a, b) => a[0] - b[0])) {
    const e = plan.events[event];
    if (e.kind === 'delivery') e.deliver(t);
    t.dispose();
  }
  return { outputs, records: [] };
}
