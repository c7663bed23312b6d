import * as tf from '@tensorflow/tfjs-core';
import { StrataError, withStepTracer, type CompileStepOptions } from '@strata/core';
import type { TensorRecord } from '../lazy/graph-types.js';
import type { LoweredProgram } from '../lazy/graph-lowerer.js';
import type { XlaBackend } from '../lazy/xla-backend.js';
import { multiStepModule, type MultiStepModule } from './multi-step-module.js';
import { replaySteps } from './multi-step-run.js';
import { judgeTrace, type ReplayPlan } from './replay-plan.js';
import { replayPlan, type ReplayResults } from './replay-run.js';
import { flatten, leafSignature, mapLeaves, type Leaf } from './step-leaves.js';
import { StepRecorder } from './step-recorder.js';
import { compareResults } from './verify-replay.js';

/** What a compiled step keeps per signature. */
interface Entry {
  plan: ReplayPlan | null;
  /** The traced outputs' form, tensors left as null (a replay fills them in). */
  template: tf.TensorContainer;
  /** Traces that made or dropped variables (warm-ups) so far. */
  warmUps: number;
  /** Why the step runs traced every time; null while it may replay. */
  refused: readonly string[] | null;
  /** The backend session the plan's program was compiled in. */
  epoch: number;
  /** The plan's multi-step modules, by number of steps (dropped with the plan). */
  multiStep: Map<number, MultiStepModule>;
}

/** Warm-up traces (the step made variables) after which a step that keeps doing so is run traced. */
const MAX_WARM_UPS = 3;

/** tfjs's random ops draw on the host: a write inside one of them is a random number, not a constant. */
const RANDOM_OP = /^(random|multinomial|truncatedNormal|dropout)/i;

/**
 * A step traced once per signature and replayed, as `jax.jit`: the first call runs the
 * JavaScript on the lazy backend and compiles the program; later calls with the same inputs'
 * form, dtypes, shapes and key run the program on the new inputs and the variables' current
 * buffers, rebind the variables to the results and redo the recorded host work, without
 * running the step's kernels in JavaScript. A step whose trace shows host work that a replay
 * would lose runs traced every time, with one warning naming it.
 */
export class CompiledStepRunner<I extends tf.TensorContainer, O extends tf.TensorContainer> {
  private readonly entries = new Map<string, Entry>();
  private warned = false;
  private readonly name: string;
  private readonly verify: boolean;
  /** Replays dispatch without waiting for their runs (CompileStepOptions.dispatch). */
  private readonly asynchronous: boolean;
  private readonly replay: boolean;

  constructor(
    private readonly backendOf: () => XlaBackend,
    private readonly fn: (inputs: I) => O,
    options: CompileStepOptions = {},
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {
    this.name = options.name ?? 'compiled step';
    this.verify = options.verify ?? verifyFromEnvironment();
    this.replay = options.replay ?? true;
    if (options.dispatch !== undefined && options.dispatch !== 'synchronous' && options.dispatch !== 'asynchronous') {
      throw new StrataError('bad-input', `compileStep's dispatch is ${JSON.stringify(options.dispatch)}.`, {
        value: String(options.dispatch),
        fix: "pass dispatch: 'asynchronous' (a replay returns once its run is queued) or 'synchronous' (it waits for the run; the default).",
      });
    }
    this.asynchronous = options.dispatch === 'asynchronous';
  }

  async call(inputs: I, key = ''): Promise<O> {
    const backend = this.backendOf();
    // Whatever was recorded before the step runs as its own program.
    await backend.flushAll();
    const { leaves, form } = flatten(inputs);
    const signature = this.signatureOf(backend, leaves, form, key);
    const entry = this.liveEntry(backend, signature);
    if (entry?.plan) {
      if (this.verify) return this.verifiedReplay(backend, entry, inputs, leaves);
      backend.stats.replays++;
      const replayed = await replayPlan(backend, entry.plan, leaves, { shadow: false, asynchronous: this.asynchronous });
      return rebuild(entry.template, replayed) as O;
    }
    return this.trace(backend, inputs, signature, entry);
  }

  /**
   * Runs the step on each of `inputs` in turn, as that many calls would, but in one execution
   * once the step replays (Keras's `steps_per_execution`): a multi-step module (see
   * multi-step-module.ts) made once per number of steps runs them back to back on the device.
   * Falls back to one call per input while the step still traces, in verify mode, when it
   * runs traced, and when the inputs do not all have the same signature.
   */
  async callMany(inputs: readonly I[], key = ''): Promise<O[]> {
    const sequential = async () => {
      const out: O[] = [];
      for (const x of inputs) out.push(await this.call(x, key));
      return out;
    };
    if (inputs.length < 2 || this.verify || !this.replay) return sequential();
    const backend = this.backendOf();
    await backend.flushAll();
    const flat = inputs.map((x) => flatten(x));
    const signatures = flat.map(({ leaves, form }) => this.signatureOf(backend, leaves, form, key));
    const entry = this.liveEntry(backend, signatures[0]);
    const plan = entry?.plan;
    if (!entry || !plan?.module || signatures.some((s) => s !== signatures[0])) return sequential();
    const steps = inputs.length;
    let module = entry.multiStep.get(steps);
    if (module === undefined) {
      module = multiStepModule(plan.module, plan, steps);
      entry.multiStep.set(steps, module);
    }
    backend.stats.replays += steps;
    const outputs = await replaySteps(backend, plan, module, flat.map((f) => f.leaves), this.asynchronous);
    return outputs.map((o) => rebuild(entry.template, { outputs: o, records: [] }) as O);
  }

  /** Drops every plan (the strategy tears down; a new session compiles again). */
  forget(backend: XlaBackend): void {
    for (const entry of this.entries.values()) this.dropPlan(backend, entry);
    this.entries.clear();
  }

  /** The signature's entry, its plan dropped when its session ended or a tensor it reads is gone. */
  private liveEntry(backend: XlaBackend, signature: string): Entry | undefined {
    const entry = this.entries.get(signature);
    if (entry !== undefined && entry.epoch !== backend.sessionEpoch) {
      this.dropPlan(backend, entry);
      entry.epoch = backend.sessionEpoch;
    }
    if (entry?.plan && !planAlive(backend, entry.plan)) this.dropPlan(backend, entry);
    return entry;
  }

  private signatureOf(backend: XlaBackend, leaves: readonly Leaf[], form: string, key: string): string {
    const placement = (t: tf.Tensor) => backend.recordOf(t.dataId)?.placement ?? '?';
    return `${backend.getPrecision()};${backend.numDevices};${key};${form};${leaves.map((l) => leafSignature(l, placement)).join(';')}`;
  }

  private async trace(backend: XlaBackend, inputs: I, signature: string, existing: Entry | undefined): Promise<O> {
    const entry: Entry = existing ?? { plan: null, template: {}, warmUps: 0, refused: null, epoch: backend.sessionEpoch, multiStep: new Map() };
    this.entries.set(signature, entry);
    const judging = entry.refused === null && this.replay;
    const { out, verdict } = await this.record(backend, inputs, judging);
    backend.stats.traces++;
    entry.template = mapLeaves(out, (leaf) => (leaf instanceof tf.Tensor ? null : leaf));
    if (verdict === null) return out;
    if (verdict.kind === 'plan') {
      entry.plan = verdict.plan;
      entry.multiStep.clear();
    } else if (verdict.kind === 'warm-up') {
      entry.warmUps++;
      if (entry.warmUps >= MAX_WARM_UPS) this.refuse(entry, ['it makes or drops variables every time it runs']);
    } else this.refuse(entry, verdict.reasons);
    return out;
  }

  /**
   * Runs the step's JavaScript on the lazy backend and its program on the server; with
   * `judging`, records its host work and decides how it replays.
   */
  private async record(backend: XlaBackend, inputs: I, judging: boolean) {
    const recorder = new StepRecorder(backend);
    const variablesBefore = new Map(Object.entries(tf.engine().registeredVariables));
    const dataBefore = new Map([...variablesBefore.values()].map((v) => [v, v.dataId as object]));
    const distinct = new Set<TensorRecord>();
    for (const dataId of dataBefore.values()) {
      const r = backend.recordOf(dataId);
      if (r !== undefined) distinct.add(r);
    }
    const inputRecords = new Map<TensorRecord, number>();
    const randomWrites = new Set<TensorRecord>();
    const stepStart = backend.nextRecordId;
    // Variables the step makes, with the value each starts from (the data id it shares then).
    const created = new Map<tf.Variable, object>();
    const engine = tf.engine();
    const makeVariable = engine.makeVariable;
    engine.makeVariable = function (this: typeof engine, ...args: Parameters<typeof makeVariable>) {
      const v = makeVariable.apply(this, args);
      created.set(v, v.dataId as object);
      return v;
    };
    backend.tracing = this.name;
    backend.onTraceWrite = (r) => {
      if (tf.engine().state.scopeStack.some((s) => RANDOM_OP.test(s.name))) randomWrites.add(r);
    };
    let out: O;
    const t0 = performance.now();
    try {
      // The recorder runs even when the trace is not judged, so that the program is the one a
      // replay would run (dynamic scalars and handed-over values are arguments and results alike).
      out = withStepTracer(recorder, () =>
        tf.tidy(() => {
          const traced = mapLeaves(inputs, (leaf, i) => {
            const t = typeof leaf === 'number' ? tf.scalar(leaf) : leaf;
            const r = t instanceof tf.Tensor ? backend.recordOf(t.dataId) : undefined;
            if (r !== undefined) {
              inputRecords.set(r, i);
              distinct.add(r);
            }
            return t;
          }) as I;
          return this.fn(traced);
        }),
      );
    } finally {
      engine.makeVariable = makeVariable;
      backend.tracing = null;
      backend.onTraceWrite = null;
      backend.stats.recordMs += performance.now() - t0;
    }
    for (const r of recorder.dynamicRecords()) distinct.add(r);
    const outputs = flatten(out).leaves.map((l) => (l instanceof tf.Tensor ? l : null));
    let program: LoweredProgram | null = null;
    try {
      const verdict = await backend.cutStep(distinct, (lowered) => {
        program = lowered;
        if (!judging) return null;
        return judgeTrace(lowered, {
          backend,
          recorder,
          inputs: inputRecords,
          variablesBefore,
          variablesAfter: new Map(Object.entries(tf.engine().registeredVariables)),
          dataBefore,
          created,
          outputs,
          stepStart,
          randomWrites,
        });
      });
      recorder.release();
      return { out, verdict, program: program as LoweredProgram | null };
    } catch (error) {
      recorder.release();
      // The step's results were never computed: nobody gets them to dispose.
      tf.dispose(out);
      throw error;
    }
  }

  /**
   * Verify mode: the replay runs on the same state without touching it (no donation, no
   * rebinding, no host effects), then the step runs traced as usual, and every result of the
   * two must agree.
   */
  private async verifiedReplay(backend: XlaBackend, entry: Entry, inputs: I, leaves: readonly Leaf[]): Promise<O> {
    const plan = entry.plan!;
    const shadow = await replayPlan(backend, plan, leaves, { shadow: true });
    try {
      const { out, verdict, program } = await this.record(backend, inputs, true);
      backend.stats.traces++;
      const traced = program?.results ?? [];
      if (verdict?.kind !== 'plan' || verdict.plan.hash !== plan.hash) {
        tf.dispose(out);
        throw new StrataError('replay-mismatch', `Verify mode: the ${this.name} traced again gives another program than the one its replays run (${verdict?.kind === 'refused' ? verdict.reasons.join('; ') : 'its structure changed'}).`, {
          fix: 'give compileStep a key that changes with the host decisions that change the step, or pass changing host values as inputs or dynamicScalar.',
        });
      }
      await compareResults(this.name, plan, shadow.records, traced, (r) => backend.valuesOfRecord(r)).catch((error: unknown) => {
        tf.dispose(out);
        throw error;
      });
      this.dropPlan(backend, entry);
      entry.plan = verdict.plan;
      return out;
    } finally {
      for (const r of shadow.records) backend.dropRecord(r);
    }
  }

  private refuse(entry: Entry, reasons: readonly string[]): void {
    entry.refused = reasons;
    if (this.warned) return;
    this.warned = true;
    this.warn(
      `Strata: the ${this.name} runs traced at every call instead of replaying its compiled program, because ${reasons.join('; ')}. It trains correctly, with the host overhead of tracing each step; change the step as said to replay it, or turn compiled steps off (Trainer({ compileSteps: false })) to silence this.`,
    );
  }

  private dropPlan(backend: XlaBackend, entry: Entry): void {
    const plan = entry.plan;
    entry.plan = null;
    entry.multiStep.clear();
    if (plan === null) return;
    for (const p of plan.params) if (p.kind === 'constant') backend.dropRecord(p.record);
  }
}

/** A plan replays while every tensor it reads from outside its inputs is still there. */
function planAlive(backend: XlaBackend, plan: ReplayPlan): boolean {
  const registered = tf.engine().registeredVariables;
  for (const v of plan.variables) if (registered[v.name] !== v || backend.recordOf(v.dataId) === undefined) return false;
  for (const p of plan.params) if (p.kind === 'persistent' && (backend.recordOf(p.record.dataId) !== p.record || p.record.refCount === 0)) return false;
  return true;
}

/** The replay's outputs in the traced outputs' form. */
function rebuild(template: tf.TensorContainer, replayed: ReplayResults): tf.TensorContainer {
  return mapLeaves(template, (leaf, i) => replayed.outputs[i] ?? leaf);
}

function verifyFromEnvironment(): boolean {
  const value = typeof process === 'undefined' ? undefined : process.env?.STRATA_VERIFY_COMPILED;
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}
