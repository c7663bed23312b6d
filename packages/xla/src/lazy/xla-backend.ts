import {
  Fill,
  Identity,
  KernelBackend,
  type BackendTimingInfo,
  type BackendValues,
  type DataId,
  type DataType,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { StrataError, type Precision } from '@strata/core';
import type { KernelLowering } from '../lowerings/kernel-lowering.js';
import { newStats, type XlaBackendStats } from './backend-stats.js';
import { BufferPins } from './buffer-pins.js';
import { GraphLowerer, type LoweredProgram } from './graph-lowerer.js';
import type { LazyNode, Placement, TensorRecord } from './graph-types.js';
import { opConstant } from './host-values.js';
import { ProgramRunner } from './program-runner.js';
import type { ExecuteResult, ProgramExecutor, TensorSpecLike } from './program-executor.js';
import { TensorStore } from './tensor-store.js';
import { Transfers } from './transfers.js';

export type { XlaBackendStats } from './backend-stats.js';

/**
 * A tfjs backend whose kernels compute nothing: each records a node into a graph. A read, or
 * the step boundary the strategy marks with `flushAll()`, cuts the graph: every live tensor
 * still to be computed becomes a result of one StableHLO program, which the server compiles
 * once per hash and runs on buffers that stay on its devices.
 *
 * The work is shared out: `TensorStore` keeps the records and their lifetimes, `BufferPins`
 * the holders and releases of server buffers, `Transfers` the uploads and reads,
 * `GraphLowerer` the cut's StableHLO and `ProgramRunner` the compile and execute calls.
 *
 * @example
 * tf.registerBackend('xla', () => new XlaBackend(session));
 * await tf.setBackend('xla');
 * const y = tf.relu(tf.tensor([-1, 2]));   // recorded, not computed
 * await y.data();                          // cut, compiled, run: Float32Array [0, 2]
 */
export class XlaBackend extends KernelBackend {
  /** Steps become one compiled program here (see @strata/core's fusesWholeSteps). */
  readonly fusesWholeSteps = true;
  readonly stats: XlaBackendStats = newStats();
  private readonly pins = new BufferPins(() => this.executor);
  private readonly store = new TensorStore(this.pins);
  private readonly transfers = new Transfers(this.store, this.pins, this.stats, () => this.requireExecutor());
  private readonly runner = new ProgramRunner(this.store, this.pins, this.transfers, this.stats, () => this.requireExecutor());
  private nextNodeId = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private graphLowerer: GraphLowerer | null = null;
  /** The first record id made since the last cut: that cut's successor's temporaries start here. */
  private stepStart = 0;
  /** Kernel names seen while `recordKernels` is set (preflight). */
  private kernelLog: Set<string> | null = null;
  /** The compiled step being traced now (its name), or null: reads inside it are refused. */
  tracing: string | null = null;
  /** Called with each host value written while a compiled step traces (it spots host random numbers). */
  onTraceWrite: ((record: TensorRecord) => void) | null = null;
  private epoch = 0;

  /**
   * @param executor the server session that runs programs; null for a backend that only
   *   records and lowers (preflight, lowering tests).
   */
  constructor(
    private executor: ProgramExecutor | null,
    private precision: Precision = '32',
  ) {
    super();
  }

  get numDevices(): number {
    return this.executor?.numDevices ?? 1;
  }

  setPrecision(precision: Precision): void {
    this.precision = precision;
  }

  getPrecision(): Precision {
    return this.precision;
  }

  /** Changes with every new session: compiled steps replay only programs of the current one. */
  get sessionEpoch(): number {
    return this.epoch;
  }

  setExecutor(executor: ProgramExecutor | null): void {
    this.executor = executor;
    this.epoch++;
    this.runner.forget();
    this.transfers.forget();
    this.pins.forget();
  }

  // ---- TensorStorage -------------------------------------------------------------------

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = {};
    const r = this.store.add(dataId, shape, dtype, opConstant(values, shape) ?? { kind: 'host', values });
    this.onTraceWrite?.(r);
    return dataId;
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    this.store.add(dataId, shape, dtype, { kind: 'host', values }).refCount = refCount;
  }

  override incRef(dataId: DataId): void {
    this.store.incRef(dataId);
  }

  override refCount(dataId: DataId): number {
    return this.store.refCount(dataId);
  }

  override numDataIds(): number {
    return this.store.liveCount;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    return this.store.dispose(dataId, force);
  }

  override memory(): { unreliable: boolean; reasons: string[] } {
    return { unreliable: true, reasons: ['tensors live on the XLA server; sizes are not tracked here'] };
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override timerAvailable(): boolean {
    return false;
  }

  override async time(f: () => void): Promise<BackendTimingInfo> {
    f();
    return { kernelMs: { error: 'kernels are recorded, not timed, on the xla backend' } };
  }

  override readSync(dataId: DataId): BackendValues {
    if (this.tracing !== null) throw this.readInTrace(dataId, 'dataSync()/arraySync()');
    throw new StrataError('unsupported-option', 'Synchronous reads are not possible on the xla backend: values live on the XLA server.', {
      value: 'dataSync()/arraySync()',
      fix: 'read asynchronously: `await tensor.data()`, `await tensor.array()` or `await strategy.read(tensor)`.',
    });
  }

  override async read(dataId: DataId): Promise<BackendValues> {
    const r = this.store.get(dataId);
    if (r === undefined) throw new Error('internal: read of a tensor the xla backend does not hold');
    if (this.tracing !== null) throw this.readInTrace(dataId, 'data()/array()');
    if (r.source.kind === 'node') await this.flushAll([r]);
    return this.serialize(() => this.transfers.valuesOf(r));
  }

  override dispose(): void {
    this.store.clear();
  }

  // ---- recording ------------------------------------------------------------------------

  /** Records one kernel call; returns its outputs' tensor infos. */
  record(lowering: KernelLowering, inputs: Record<string, TensorInfo | undefined | null>, attrs: NamedAttrMap): TensorInfo[] {
    this.kernelLog?.add(lowering.kernelName);
    const names = lowering.inputs ?? Object.keys(inputs);
    const ins = names.map((n) => {
      const info = inputs[n];
      if (info === undefined || info === null) return null;
      const r = this.store.get(info.dataId);
      if (r === undefined) throw new Error(`internal: input ${n} of ${lowering.kernelName} is not on the xla backend`);
      return r;
    });
    const metas = lowering.infer(
      ins.map((r) => (r === null ? null : { shape: r.shape, dtype: r.dtype })),
      attrs,
    );
    const node: LazyNode = { id: this.nextNodeId++, lowering, inputs: ins, attrs, outputs: [], pendingOutputs: metas.length };
    for (const r of ins) if (r !== null) r.users++;
    return metas.map((m, index) => {
      const dataId = {};
      const out = this.store.add(dataId, m.shape, m.dtype, { kind: 'node', node, index });
      node.outputs.push(out);
      return { dataId, shape: m.shape, dtype: m.dtype };
    });
  }

  /**
   * A tensor of one repeated value, made on the host (uploaded when a program first reads
   * it). ZerosLike of a variable uses this, so that optimizer state created in the first
   * step is an argument like in every later step, and the step's program does not change.
   */
  recordFill(value: number, shape: number[], dtype: DataType, kernelName: string = Fill): TensorInfo {
    this.kernelLog?.add(kernelName);
    const dataId = {};
    this.store.add(dataId, shape, dtype, { kind: 'fill', value, embed: false });
    return { dataId, shape, dtype };
  }

  /** Identity: the same data id, one more reference. */
  shareIdentity(x: TensorInfo): TensorInfo {
    this.kernelLog?.add(Identity);
    this.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }

  /** True when the tensor is computed by a pending node (not a host or device value). */
  isPending(dataId: DataId): boolean {
    return this.store.get(dataId)?.source.kind === 'node';
  }

  /**
   * Marks a tensor as a batch tensor: split along dimension 0 over the devices. Rows that do not
   * divide by the devices travel padded with zero rows, which every program slices off before
   * reading the tensor (split-padding.ts); a scalar has no rows to split and stays replicated.
   */
  setPlacement(dataId: DataId, placement: Placement): void {
    const r = this.store.get(dataId);
    if (r === undefined) return;
    // A scalar has no rows to split. A computed tensor (pending, or a program's result) is
    // replicated on the devices and cannot be padded without a program: it is split (the server
    // reshards it where a program takes it) only where its rows divide by the devices.
    const computed = r.source.kind === 'node' || r.source.kind === 'device';
    const cannotSplit = r.shape.length === 0 || (computed && r.shape[0] % this.numDevices !== 0);
    r.placement = placement === 'split' && cannotSplit ? 'replicated' : placement;
  }

  /** Starts logging kernel names (preflight); returns the function that stops and gives them. */
  logKernels(): () => string[] {
    const log = new Set<string>();
    this.kernelLog = log;
    return () => {
      this.kernelLog = null;
      return [...log].sort();
    };
  }

  /** The record of a data id (tests and the strategy read shapes and placements). */
  recordOf(dataId: DataId): TensorRecord | undefined {
    return this.store.get(dataId);
  }

  // ---- cutting and running ----------------------------------------------------------------

  /** Live tensors still to be computed, in creation order. */
  pendingTensors(): TensorRecord[] {
    return this.store.pending();
  }

  /** Lowers what is pending without running it (tests, preflight). */
  lowerPending(extra: readonly TensorRecord[] = []): LoweredProgram | null {
    const targets = [...new Set([...this.pendingTensors(), ...extra])].sort((a, b) => a.id - b.id);
    if (targets.length === 0) return null;
    return this.lowerer().lower(targets, this.stepStart);
  }

  /** Cuts whose StableHLO text was reused rather than emitted again. */
  get loweringCacheHits(): number {
    return this.graphLowerer?.hits ?? 0;
  }

  /**
   * The step boundary: computes every live pending tensor in one program, so their buffers
   * replace the old ones on the server and the graph starts empty.
   */
  flushAll(extra: readonly TensorRecord[] = []): Promise<void> {
    return this.serialize(async () => {
      // Records made from here on belong to the next cut (its temporaries).
      const stepStart = this.stepStart;
      this.stepStart = this.store.nextRecordId;
      const targets = [...new Set([...this.pendingTensors(), ...extra.filter((r) => r.source.kind === 'node')])].sort(
        (a, b) => a.id - b.id,
      );
      if (targets.length === 0) return;
      const t0 = performance.now();
      const program = this.lowerer().lower(targets, stepStart);
      this.stats.lowerMs += performance.now() - t0;
      await this.runner.run(program);
    });
  }

  /**
   * Starts uploading a host tensor now (the strategy does it for batches in distributeBatch),
   * so the transfer overlaps with recording the step instead of delaying its execution.
   */
  prefetch(dataId: DataId): void {
    const r = this.store.get(dataId);
    if (r === undefined || this.executor === null || (r.source.kind !== 'host' && r.source.kind !== 'fill')) return;
    // A small one goes with the Execute as a literal: no call of its own.
    if (this.transfers.goesAsLiteral(r)) return;
    this.transfers.prefetch(r);
  }

  /**
   * Cuts a compiled step's trace: lowers what is pending (with `distinct` tensors kept apart
   * as arguments), lets `analyze` see the program before it runs (its arguments still show
   * where their values come from), then runs it as `flushAll` does.
   */
  cutStep<T>(distinct: ReadonlySet<TensorRecord>, analyze: (program: LoweredProgram | null) => T): Promise<T> {
    return this.serialize(async () => {
      const stepStart = this.stepStart;
      this.stepStart = this.store.nextRecordId;
      const targets = this.pendingTensors();
      const t0 = performance.now();
      const program = targets.length === 0 ? null : this.lowerer().lower(targets, stepStart, distinct);
      this.stats.lowerMs += performance.now() - t0;
      const analysis = analyze(program);
      if (program !== null) await this.runner.run(program);
      return analysis;
    });
  }

  /**
   * Runs a program compiled in this session on `params` (a replayed step): arguments `literal`
   * allows go by value when small, `donate` selects those XLA may consume, `asynchronous`
   * returns once the server queued the run; the caller adopts the result handles.
   */
  executeCompiled(hash: string, params: readonly TensorRecord[], literal: (index: number) => boolean, donate: (index: number) => boolean, asynchronous = false): Promise<ExecuteResult> {
    return this.serialize(() => this.runner.execute(hash, this.runner.argumentsOf(params, literal), donate, asynchronous));
  }

  /** Compiles a program made outside the lowerer (a multi-step module) unless this session has it. */
  compileProgram(hash: string, text: string, params: readonly TensorSpecLike[], results: readonly TensorSpecLike[]): Promise<void> {
    return this.serialize(() => this.runner.ensureCompiled(hash, text, params, results));
  }

  /** A new tfjs data id for a buffer a program returned (`values` when it came back inline). */
  adoptResult(handle: string, values: BackendValues | undefined, shape: number[], dtype: DataType): DataId {
    const dataId = {};
    this.store.add(dataId, shape, dtype, values === undefined ? { kind: 'device', handle } : { kind: 'device', handle, values });
    return dataId;
  }

  /** A value a compiled step holds, not a tensor (a dynamic scalar, a constant); freed with `dropRecord`. */
  hostRecord(values: BackendValues, shape: number[], dtype: DataType): TensorRecord {
    return this.store.add({}, shape, dtype, { kind: 'host', values });
  }

  /** The values of a computed record (a verify run compares them). */
  valuesOfRecord(r: TensorRecord): Promise<BackendValues> {
    return this.serialize(() => this.transfers.valuesOf(r));
  }

  /** True when the record's server buffer has no other holder: a replay may donate it. */
  holdsAlone(r: TensorRecord): boolean {
    return r.refCount === 1 && r.source.kind === 'device' && this.pins.holders(r.source.handle) === 1;
  }

  /** The id the next record gets: records of a step traced from now on are at least this. */
  get nextRecordId(): number {
    return this.store.nextRecordId;
  }

  /** Lets go of a record made by `hostRecord` or `adoptResult` that no tensor wraps. */
  dropRecord(r: TensorRecord): void {
    this.store.dispose(r.dataId, true);
  }

  /** Resolves once every buffer released so far is freed on the server. */
  async drain(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.pins.settled();
  }

  /** The lowerer for the current precision and device count; it keeps what it lowered. */
  private lowerer(): GraphLowerer {
    const current = this.graphLowerer;
    if (current !== null && current.precision === this.precision && current.numDevices === this.numDevices) return current;
    this.graphLowerer = new GraphLowerer(this.precision, this.numDevices);
    return this.graphLowerer;
  }

  private readInTrace(dataId: DataId, how: string): StrataError {
    const source = this.store.get(dataId)?.source;
    const op = source?.kind === 'node' ? `the result of ${source.node.lowering.kernelName}` : 'a tensor';
    return new StrataError('unsupported-option', `The ${this.tracing} reads ${op} on the host (${how}) while it is traced: a replay of the compiled step would not run that read, nor any JavaScript that depends on it.`, {
      value: how,
      fix: 'compute the decision on the device (tf.where, tf.maximum, a mask) inside the step, or read the value after the step (in a callback or an epoch hook); or turn compiled steps off with Trainer({ compileSteps: false }).',
    });
  }

  private requireExecutor(): ProgramExecutor {
    if (this.executor === null) {
      throw new StrataError('not-set-up', 'The xla backend has no server session: it can record and lower, not run.', {
        fix: 'await strategy.setup() on an XLA strategy (XlaStrategy or a subclass) before computing on the xla backend.',
      });
    }
    return this.executor;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn, fn);
    this.chain = result.catch(() => undefined);
    return result;
  }
}
