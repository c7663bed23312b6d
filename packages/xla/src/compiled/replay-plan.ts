import type * as tf from '@tensorflow/tfjs-core';
import type { LoweredProgram } from '../lazy/graph-lowerer.js';
import type { Placement, TensorRecord } from '../lazy/graph-types.js';
import { filled } from '../lazy/host-values.js';
import type { XlaBackend } from '../lazy/xla-backend.js';
import { wireShape } from '../lazy/split-padding.js';
import type { StepRecorder, TraceEvent } from './step-recorder.js';

/** An argument or result of a program as the server compiles it (arguments at their wire shapes). */
export interface ProgramSpec {
  readonly shape: readonly number[];
  readonly dtype: tf.DataType;
  readonly placement: Placement;
}

/** The traced step's own module: what a multi-step module calls once per step. */
export interface StepModule {
  readonly text: string;
  readonly params: readonly ProgramSpec[];
  readonly results: readonly ProgramSpec[];
  readonly numDevices: number;
}

/** Where a replay takes each argument of the step's program from. */
export type ParamSource =
  /** A leaf of the step's inputs: a tensor, or a number passed as a scalar argument. */
  | { readonly kind: 'input'; readonly leaf: number }
  /** A `dynamicScalar`: the value its `read` gives at the replay (event index). */
  | { readonly kind: 'dynamic'; readonly event: number }
  /** A variable's value when the replay starts. */
  | { readonly kind: 'variable'; readonly variable: tf.Variable }
  /** A value the step made on the host, the same at every replay (held by the plan). */
  | { readonly kind: 'constant'; readonly record: TensorRecord }
  /** A tensor made before the step (tensors do not change): valid while tfjs keeps it. */
  | { readonly kind: 'persistent'; readonly record: TensorRecord };

/** What a replay does with one result of the program. */
export interface ResultSlot {
  readonly shape: number[];
  readonly dtype: tf.DataType;
  /** Variables that take it as their new value. */
  readonly variables: readonly tf.Variable[];
  /** Output leaves that are it. */
  readonly outputs: readonly number[];
  /** Deliveries (event indexes) that hand it to host code. */
  readonly deliveries: readonly number[];
}

/** A traced step, ready to replay: its program, where the arguments come from and where the results go. */
export interface ReplayPlan {
  readonly hash: string;
  readonly params: readonly ParamSource[];
  readonly results: readonly ResultSlot[];
  /** Arguments the module aliases to results: donated when they hold a variable's old value. */
  readonly aliased: ReadonlySet<number>;
  readonly events: readonly TraceEvent[];
  /** The variables the step reads or writes: a replay needs every one alive. */
  readonly variables: readonly tf.Variable[];
  /** The variables the step assigns: only their old buffers may be donated. */
  readonly written: ReadonlySet<tf.Variable>;
  /** The step's module, from which a multi-step module is made (none for a step with no program). */
  readonly module?: StepModule;
}

/** What a trace tells about replaying it. */
export type TraceVerdict =
  | { readonly kind: 'plan'; readonly plan: ReplayPlan }
  /** The step made or dropped variables (the first step makes optimizer slots): trace it once more. */
  | { readonly kind: 'warm-up' }
  | { readonly kind: 'refused'; readonly reasons: readonly string[] };

/** What the compiled step knows of a trace, besides its program. */
export interface TraceFacts {
  readonly backend: XlaBackend;
  readonly recorder: StepRecorder;
  /** Input leaves' records (tensors, and the scalars made for number leaves), by leaf index. */
  readonly inputs: ReadonlyMap<TensorRecord, number>;
  /** Registered variables before and after the step ran. */
  readonly variablesBefore: ReadonlyMap<string, tf.Variable>;
  readonly variablesAfter: ReadonlyMap<string, tf.Variable>;
  /** Each variable's data id before the step ran. */
  readonly dataBefore: ReadonlyMap<tf.Variable, object>;
  /** Variables the step made, with the data id each started from. */
  readonly created: ReadonlyMap<tf.Variable, object>;
  /** The output leaves' tensors (by leaf index; null for a leaf that is not a tensor). */
  readonly outputs: readonly (tf.Tensor | null)[];
  /** The first record id made by the step. */
  readonly stepStart: number;
  /** Host writes the step made inside tfjs's random ops. */
  readonly randomWrites: ReadonlySet<TensorRecord>;
}

const describe = (r: TensorRecord) => `${r.dtype}[${r.shape.join(', ')}]`;

/**
 * Decides how a traced step replays: each argument of its program is an input, a dynamic
 * scalar, a variable, a constant of the step or a tensor made before it; each result becomes
 * variables' new values, outputs or deliveries. Anything else (a tensor the step keeps
 * without returning it, host random numbers, a variable assigned a host value) refuses the
 * replay with the reason, since replaying would silently lose or freeze it.
 */
export function judgeTrace(program: LoweredProgram | null, facts: TraceFacts): TraceVerdict {
  const { backend, recorder } = facts;
  const reasons = [...recorder.refusals];
  // A variable the step made from a value it computed (optimizer slots made from the
  // parameters' shapes inside the first step) starts in a program later steps do not run: the
  // next call traces again. One made from a host value (a zero) reads it as an argument, as
  // later steps read the variable: that program is theirs.
  const made = [...facts.variablesAfter.values()].filter((v) => !facts.dataBefore.has(v));
  const unknown = made.some((v) => !facts.created.has(v));
  const computed = made.some((v) => backend.recordOf(facts.created.get(v)!)?.source.kind === 'node');
  const dropped = [...facts.dataBefore.keys()].some((v) => facts.variablesAfter.get(v.name) !== v);
  if (unknown || computed || dropped) return { kind: 'warm-up' };

  const variableOf = new Map<object, tf.Variable>();
  for (const [v, dataId] of facts.dataBefore) variableOf.set(dataId, v);
  for (const v of made) variableOf.set(facts.created.get(v)!, v);
  const dynamicOf = new Map<TensorRecord, number>();
  recorder.events.forEach((e, i) => e.kind === 'dynamic' && dynamicOf.set(e.record, i));

  const params: ParamSource[] = (program?.params ?? []).map((r): ParamSource => {
    const leaf = facts.inputs.get(r);
    if (leaf !== undefined) return { kind: 'input', leaf };
    const event = dynamicOf.get(r);
    if (event !== undefined) return { kind: 'dynamic', event };
    const variable = variableOf.get(r.dataId);
    if (variable !== undefined) return { kind: 'variable', variable };
    if (r.id < facts.stepStart) return { kind: 'persistent', record: r };
    if (facts.randomWrites.has(r)) {
      reasons.push(`random numbers drawn on the host inside the step (${describe(r)}, tf.randomUniform / tf.dropout): a replay would reuse them. Draw them on the device (Strata's dropout) or outside the step`);
      return { kind: 'persistent', record: r };
    }
    const s = r.source;
    if (s.kind === 'host') return { kind: 'constant', record: backend.hostRecord(s.values, r.shape, r.dtype) };
    if (s.kind === 'fill') return { kind: 'constant', record: backend.hostRecord(filled(s.value, r.shape, r.dtype), r.shape, r.dtype) };
    return { kind: 'persistent', record: r };
  });

  const slots = (program?.results ?? []).map((r) => ({ record: r, variables: [] as tf.Variable[], outputs: [] as number[], deliveries: [] as number[] }));
  const slotOf = new Map(slots.map((s) => [s.record, s]));
  for (const v of facts.variablesAfter.values()) {
    const r = backend.recordOf(v.dataId);
    if (r === undefined || v.dataId === facts.dataBefore.get(v)) continue;
    const slot = slotOf.get(r);
    if (slot === undefined) reasons.push(`variable ${JSON.stringify(v.name)} is assigned a value the step does not compute (${describe(r)})`);
    else slot.variables.push(v);
  }
  facts.outputs.forEach((t, leaf) => {
    if (t === null) return;
    const r = backend.recordOf(t.dataId);
    const slot = r === undefined ? undefined : slotOf.get(r);
    if (slot === undefined) reasons.push(`output ${leaf} (${t.dtype}[${t.shape.join(', ')}]) is not computed by the step (an input or a tensor made before it): return a computed value`);
    else slot.outputs.push(leaf);
  });
  recorder.events.forEach((e, i) => {
    if (e.kind !== 'delivery') return;
    const slot = slotOf.get(e.record);
    if (slot === undefined) reasons.push(`a tensor handed to the host (${describe(e.record)}) is not computed by the step`);
    else slot.deliveries.push(i);
  });
  for (const s of slots) {
    if (s.variables.length + s.outputs.length + s.deliveries.length > 0) continue;
    const source = s.record.source;
    const op = source.kind === 'node' ? ` of ${source.node.lowering.kernelName}` : '';
    reasons.push(`a result${op} (${describe(s.record)}) outlives the step without being returned, assigned to a variable or handed over with stepOutput (tf.keep into a field?)`);
  }

  if (reasons.length > 0 || program === null) {
    for (const p of params) if (p.kind === 'constant') backend.dropRecord(p.record);
    return reasons.length > 0 ? { kind: 'refused', reasons } : { kind: 'plan', plan: emptyPlan(recorder.events) };
  }
  const variables = new Set<tf.Variable>();
  const written = new Set<tf.Variable>();
  for (const p of params) if (p.kind === 'variable') variables.add(p.variable);
  for (const s of slots) for (const v of s.variables) {
    variables.add(v);
    written.add(v);
  }
  return {
    kind: 'plan',
    plan: {
      hash: program.hash,
      params,
      results: slots.map((s) => ({ shape: s.record.shape, dtype: s.record.dtype, variables: s.variables, outputs: s.outputs, deliveries: s.deliveries })),
      aliased: new Set(program.aliased),
      events: recorder.events,
      variables: [...variables],
      written,
      module: {
        text: program.text,
        params: program.params.map((r) => ({ shape: wireShape(r.shape, r.placement, program.numDevices), dtype: r.dtype, placement: r.placement })),
        results: program.results.map((r) => ({ shape: r.shape, dtype: r.dtype, placement: 'replicated' as const })),
        numDevices: program.numDevices,
      },
    },
  };
}

/** A step that computes nothing on the device (host effects only). */
function emptyPlan(events: readonly TraceEvent[]): ReplayPlan {
  return { hash: '', params: [], results: [], aliased: new Set(), events, variables: [], written: new Set() };
}

