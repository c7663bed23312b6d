import * as tf from '@tensorflow/tfjs-core';
import type { TensorRecord } from '../lazy/graph-types.js';
import type { XlaBackend } from '../lazy/xla-backend.js';
import { changesEveryCall, deliverInOrder, redoHostWork, ReplayArguments } from './replay-arguments.js';
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
  const dynamic = redoHostWork(plan, !shadow);
  if (plan.hash === '') return { outputs: [], records: [] };
  const args = new ReplayArguments(backend, plan);
  const params = plan.params.map((p) => args.recordOf(p, leaves, dynamic));
  const donate = (i: number) => {
    const p = plan.params[i];
    return !shadow && p.kind === 'variable' && plan.aliased.has(i) && plan.written.has(p.variable) && backend.holdsAlone(params[i]);
  };
  let result;
  try {
    result = await backend.executeCompiled(plan.hash, params, (i) => changesEveryCall(plan.params[i]), donate, asynchronous && !shadow);
  } finally {
    args.drop();
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
  const delivered: { event: number; tensor: tf.Tensor }[] = [];
  plan.results.forEach((slot, i) => {
    for (const v of slot.variables) {
      const t = wrap(i);
      v.assign(t);
      t.dispose();
    }
    for (const leaf of slot.outputs) outputs[leaf] = wrap(i);
    for (const event of slot.deliveries) delivered.push({ event, tensor: wrap(i) });
  });
  deliverInOrder(plan, delivered.sort((a, b) => a.event - b.event));
  return { outputs, records: [] };
}
