import {
  KernelBackend,
  engine,
  type BackendTimingInfo,
  type BackendValues,
  type DataId,
  type DataType,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { StrataError, type Precision } from '@strata/core';
import { sizeOf } from '../hlo/hlo-types.js';
import type { KernelLowering } from '../lowerings/kernel-lowering.js';
import { SMALL_TENSOR, smallValueKey } from './argument-key.js';
import { GraphLowerer, type LoweredProgram } from './graph-lowerer.js';
import type { LazyNode, Placement, TensorRecord, TensorSource } from './graph-types.js';
import type { ExecuteResult, ProgramExecutor } from './program-executor.js';

/** Counters the tests and benchmarks read: compilations must stop after the first steps. */
export interface XlaBackendStats {
  /** Programs the server actually compiled (its cache missed). */
  compilations: number;
  /** Programs run. */
  executions: number;
  /** Values fetched from the server (small results come back with Execute instead). */
  fetches: number;
  /** Host tensors uploaded (small constants are uploaded once and reused). */
  uploads: number;
  /** Distinct program hashes seen by this backend. */
  programs: number;
  /** Milliseconds spent in Compile calls that compiled. */
  compileMs: number;
  /** Milliseconds spent recording steps (tfjs running the step function on this backend). */
  recordMs: number;
  /** Milliseconds spent lowering graphs to text (and hashing). */
  lowerMs: number;
  /** Milliseconds spent waiting for uploads of program arguments. */
  uploadMs: number;
  /** Milliseconds spent waiting for Execute calls. */
  executeMs: number;
}

/**
 * Results up to this many bytes (4 floats) come back in the Execute reply: a step's loss and scalar metrics
 * are then read without a Fetch round trip (about 4 ms a step on a local server).
 */
const INLINE_MAX_BYTES = 16;
const SMALL_CACHE_LIMIT = 512;

/**
 * A tfjs backend whose kernels compute nothing: each records a node into a graph. A read, or
 * the step boundary the strategy marks with `flushAll()`, cuts the graph: every live tensor
 * still to be computed becomes a result of one StableHLO program, which the server compiles
 * once per hash and runs on buffers that stay on its devices.
 *
 * @example
 * tf.registerBackend('xla', () => new XlaBackend(session));
 * await tf.setBackend('xla');
 * const y = tf.relu(tf.tensor([-1, 2]));   // recorded, not computed
 * await y.data();                          // cut, compiled, run: Float32Array [0, 2]
 */
export class XlaBackend extends KernelBackend {
  readonly stats: XlaBackendStats = {
    compilations: 0,
    executions: 0,
    fetches: 0,
    uploads: 0,
    programs: 0,
    compileMs: 0,
    recordMs: 0,
    lowerMs: 0,
    uploadMs: 0,
    executeMs: 0,
  };
  private readonly records = new Map<DataId, TensorRecord>();
  private live = 0;
  private nextRecordId = 0;
  private nextNodeId = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly handleUsers = new Map<string, number>();
  private readonly smallCache = new Map<string, string>();
  private readonly seenHashes = new Set<string>();
  private pendingRelease: string[] = [];
  /** Handles XLA consumed (donated to a run): already freed on the server. */
  private readonly consumed = new Set<string>();
  private releasing: Promise<void> = Promise.resolve();
  private readonly inflightUploads = new Map<TensorRecord, Promise<string>>();
  private releaseScheduled = false;
  private graphLowerer: GraphLowerer | null = null;
  /** The first record id made since the last cut: that cut's successor's temporaries start here. */
  private stepStart = 0;
  /** Kernel names seen while `recordKernels` is set (preflight). */
  private kernelLog: Set<string> | null = null;

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

  setExecutor(executor: ProgramExecutor | null): void {
    this.executor = executor;
    this.seenHashes.clear();
    this.smallCache.clear();
    this.handleUsers.clear();
    this.consumed.clear();
  }

  // ---- TensorStorage -------------------------------------------------------------------

  override write(values: BackendValues, shape: number[], dtype: DataType): DataId {
    const dataId = {};
    this.addRecord(dataId, shape, dtype, opConstant(values, shape) ?? { kind: 'host', values });
    return dataId;
  }

  override move(dataId: DataId, values: BackendValues, shape: number[], dtype: DataType, refCount: number): void {
    this.addRecord(dataId, shape, dtype, { kind: 'host', values }).refCount = refCount;
  }

  override incRef(dataId: DataId): void {
    const r = this.records.get(dataId);
    if (r) r.refCount++;
  }

  override refCount(dataId: DataId): number {
    return this.records.get(dataId)?.refCount ?? 0;
  }

  override numDataIds(): number {
    return this.live;
  }

  override disposeData(dataId: DataId, force = false): boolean {
    const r = this.records.get(dataId);
    if (r === undefined || r.refCount === 0) return true;
    r.refCount = force ? 0 : r.refCount - 1;
    if (r.refCount > 0) return false;
    this.live--;
    this.maybeFree(r);
    return true;
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

  override readSync(_dataId: DataId): BackendValues {
    throw new StrataError('unsupported-option', 'Synchronous reads are not possible on the TPU strategy: values live on the XLA server.', {
      value: 'dataSync()/arraySync()',
      fix: 'read asynchronously: `await tensor.data()`, `await tensor.array()` or `await strategy.read(tensor)`.',
    });
  }

  override async read(dataId: DataId): Promise<BackendValues> {
    const r = this.records.get(dataId);
    if (r === undefined) throw new Error('internal: read of a tensor the xla backend does not hold');
    if (r.source.kind === 'node') await this.flushAll([r]);
    return this.serialize(() => this.valuesOf(r));
  }

  override dispose(): void {
    this.records.clear();
    this.live = 0;
  }

  // ---- recording ------------------------------------------------------------------------

  /** Records one kernel call; returns its outputs' tensor infos. */
  record(lowering: KernelLowering, inputs: Record<string, TensorInfo | undefined | null>, attrs: NamedAttrMap): TensorInfo[] {
    this.kernelLog?.add(lowering.kernelName);
    const names = lowering.inputs ?? Object.keys(inputs);
    const ins = names.map((n) => {
      const info = inputs[n];
      if (info === undefined || info === null) return null;
      const r = this.records.get(info.dataId);
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
      const out = this.addRecord(dataId, m.shape, m.dtype, { kind: 'node', node, index });
      node.outputs.push(out);
      return { dataId, shape: m.shape, dtype: m.dtype };
    });
  }

  /**
   * A tensor of one repeated value, made on the host (uploaded when a program first reads
   * it). ZerosLike of a variable uses this, so that optimizer state created in the first
   * step is an argument like in every later step, and the step's program does not change.
   */
  recordFill(value: number, shape: number[], dtype: DataType, kernelName = 'Fill'): TensorInfo {
    this.kernelLog?.add(kernelName);
    const dataId = {};
    this.addRecord(dataId, shape, dtype, { kind: 'fill', value, embed: false });
    return { dataId, shape, dtype };
  }

  /** Identity: the same data id, one more reference. */
  shareIdentity(x: TensorInfo): TensorInfo {
    this.kernelLog?.add('Identity');
    this.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }

  /** True when the tensor is computed by a pending node (not a host or device value). */
  isPending(dataId: DataId): boolean {
    return this.records.get(dataId)?.source.kind === 'node';
  }

  /** Marks a tensor as a batch tensor: split along dimension 0 over the devices. */
  setPlacement(dataId: DataId, placement: Placement): void {
    const r = this.records.get(dataId);
    if (r === undefined) return;
    if (placement === 'split' && this.numDevices > 1 && (r.shape.length === 0 || r.shape[0] % this.numDevices !== 0)) {
      throw new StrataError('bad-input', `A batch of shape [${r.shape.join(', ')}] cannot be split over ${this.numDevices} cores.`, {
        value: r.shape,
        fix: `make the global batch size a multiple of ${this.numDevices} (the number of cores).`,
      });
    }
    r.placement = placement;
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

  // ---- cutting and running ----------------------------------------------------------------

  /** Live tensors still to be computed, in creation order. */
  pendingTensors(): TensorRecord[] {
    const out: TensorRecord[] = [];
    for (const r of this.records.values()) if (r.refCount > 0 && r.source.kind === 'node') out.push(r);
    return out.sort((a, b) => a.id - b.id);
  }

  /** Lowers what is pending without running it (tests, preflight). */
  lowerPending(extra: readonly TensorRecord[] = []): LoweredProgram | null {
    const targets = [...new Set([...this.pendingTensors(), ...extra])].sort((a, b) => a.id - b.id);
    if (targets.length === 0) return null;
    return this.lowerer().lower(targets, this.stepStart);
  }

  /**
   * Whether an argument's server buffer is dead once the program ran: tfjs disposed the
   * tensor (pending nodes keep it) and no other tensor or cache holds the buffer.
   */
  private isDead(r: TensorRecord): boolean {
    return r.refCount === 0 && r.source.kind === 'device' && this.handleUsers.get(r.source.handle) === 1;
  }

  /** The lowerer for the current precision and device count; it keeps what it lowered. */
  private lowerer(): GraphLowerer {
    const current = this.graphLowerer;
    if (current !== null && current.precision === this.precision && current.numDevices === this.numDevices) return current;
    this.graphLowerer = new GraphLowerer(this.precision, this.numDevices);
    return this.graphLowerer;
  }

  /** Cuts whose StableHLO text was reused rather than emitted again. */
  get loweringCacheHits(): number {
    return this.graphLowerer?.hits ?? 0;
  }

  /** The record of a data id (tests and the strategy read shapes and placements). */
  recordOf(dataId: DataId): TensorRecord | undefined {
    return this.records.get(dataId);
  }

  /**
   * The step boundary: computes every live pending tensor in one program, so their buffers
   * replace the old ones on the server and the graph starts empty.
   */
  flushAll(extra: readonly TensorRecord[] = []): Promise<void> {
    return this.serialize(async () => {
      // Records made from here on belong to the next cut (its temporaries).
      const stepStart = this.stepStart;
      this.stepStart = this.nextRecordId;
      const targets = [...new Set([...this.pendingTensors(), ...extra.filter((r) => r.source.kind === 'node')])].sort(
        (a, b) => a.id - b.id,
      );
      if (targets.length === 0) return;
      const t0 = performance.now();
      const program = this.lowerer().lower(targets, stepStart);
      this.stats.lowerMs += performance.now() - t0;
      await this.run(program);
    });
  }

  private async run(program: LoweredProgram): Promise<void> {
    const executor = this.requireExecutor();
    const spec = (r: TensorRecord) => ({ shape: r.shape, dtype: r.dtype, placement: r.placement });
    // Arguments upload while the program compiles.
    const uploads = Promise.all(program.params.map((r) => this.ensureOnDevice(r)));
    uploads.catch(() => undefined);
    if (!this.seenHashes.has(program.hash)) {
      const t0 = performance.now();
      const compiled = await executor.compile(program.hash, program.text, program.params.map(spec), program.results.map(spec));
      if (compiled) {
        this.stats.compilations++;
        this.stats.compileMs += performance.now() - t0;
      }
      this.seenHashes.add(program.hash);
      this.stats.programs++;
    }
    const t1 = performance.now();
    const handles = await uploads;
    const t2 = performance.now();
    // Aliased arguments whose buffers nothing needs after this run go to XLA; the server
    // copies the others before the program consumes them.
    const donate = program.aliased.filter((i) => this.isDead(program.params[i])).map((i) => handles[i]);
    // Buffers released since the last flush travel with this run rather than in a call of their own.
    const release = this.pendingRelease;
    this.pendingRelease = [];
    let outs: ExecuteResult;
    try {
      outs = await executor.execute(program.hash, handles, INLINE_MAX_BYTES, donate, release);
    } catch (error) {
      this.pendingRelease.push(...release);
      if (donate.length === 0) throw error;
      for (const h of donate) this.consumed.add(h);
      throw new StrataError('device-error', `A program failed after XLA took over ${donate.length} of its argument buffers (old weights and optimizer state): ${(error as Error).message}`, {
        value: program.hash.slice(0, 12),
        fix: 'the model state on the server is gone with them: restore from the last checkpoint (Trainer ckptPath) and fix the cause above.',
      });
    }
    this.stats.uploadMs += t2 - t1;
    this.stats.executeMs += performance.now() - t2;
    this.stats.executions++;
    // The server freed the donated buffers with the run: their records let go without a Release.
    for (const h of donate) this.consumed.add(h);
    program.results.forEach((r, i) => {
      const values = outs.values[i];
      this.setSource(r, values === undefined ? { kind: 'device', handle: outs.handles[i] } : { kind: 'device', handle: outs.handles[i], values });
    });
  }

  /**
   * Starts uploading a host tensor now (the strategy does it for batches in distributeBatch),
   * so the transfer overlaps with recording the step instead of delaying its execution.
   */
  prefetch(dataId: DataId): void {
    const r = this.records.get(dataId);
    if (r === undefined || this.executor === null || (r.source.kind !== 'host' && r.source.kind !== 'fill')) return;
    if (!this.inflightUploads.has(r)) {
      const upload = this.ensureOnDevice(r);
      // A failure surfaces when a program needs the tensor.
      upload.catch(() => undefined);
    }
  }

  private ensureOnDevice(r: TensorRecord): Promise<string> {
    const s = r.source;
    if (s.kind === 'device') return Promise.resolve(s.handle);
    let upload = this.inflightUploads.get(r);
    if (upload === undefined) {
      upload = this.upload(r).finally(() => this.inflightUploads.delete(r));
      this.inflightUploads.set(r, upload);
    }
    return upload;
  }

  private async upload(r: TensorRecord): Promise<string> {
    const s = r.source;
    if (s.kind === 'device') return s.handle;
    if (s.kind === 'node') throw new Error(`internal: tensor ${r.id} is an argument but still pending`);
    const values = s.kind === 'host' ? s.values : filled(s.value, r.shape, r.dtype);
    const size = sizeOf(r.shape);
    let key: string | undefined;
    if (size <= SMALL_TENSOR && r.placement === 'replicated') {
      key = smallValueKey(values, r.shape, r.dtype);
      const cached = this.smallCache.get(key);
      if (cached !== undefined) {
        this.setSource(r, { kind: 'device', handle: cached });
        return cached;
      }
    }
    const handle = await this.requireExecutor().upload(values, r.shape, r.dtype, r.placement);
    this.stats.uploads++;
    if (key !== undefined) {
      this.smallCache.set(key, handle);
      this.pin(handle, 1);
      if (this.smallCache.size > SMALL_CACHE_LIMIT) {
        const [oldKey, oldHandle] = this.smallCache.entries().next().value as [string, string];
        this.smallCache.delete(oldKey);
        this.pin(oldHandle, -1);
      }
    }
    if (!this.records.has(r.dataId)) {
      // Disposed while uploading (a prefetched batch nobody used): free the buffer again.
      this.pin(handle, 1);
      this.pin(handle, -1);
    } else if (r.source.kind === 'host' || r.source.kind === 'fill') {
      this.setSource(r, { kind: 'device', handle });
    }
    return handle;
  }

  private async valuesOf(r: TensorRecord): Promise<BackendValues> {
    const s = r.source;
    switch (s.kind) {
      case 'host':
        return s.values;
      case 'fill':
        return filled(s.value, r.shape, r.dtype);
      case 'device':
        if (s.values !== undefined) return s.values;
        this.stats.fetches++;
        return this.requireExecutor().fetch(s.handle, r.dtype, sizeOf(r.shape));
      case 'node':
        throw new Error(`internal: tensor ${r.id} is still pending after a flush`);
    }
  }

  private requireExecutor(): ProgramExecutor {
    if (this.executor === null) {
      throw new StrataError('not-set-up', 'The xla backend has no server session: it can record and lower, not run.', {
        fix: 'await strategy.setup() on a TpuStrategy before computing on the xla backend.',
      });
    }
    return this.executor;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn, fn);
    this.chain = result.catch(() => undefined);
    return result;
  }

  // ---- lifetimes ------------------------------------------------------------------------

  private addRecord(dataId: DataId, shape: number[], dtype: DataType, source: TensorSource): TensorRecord {
    const r: TensorRecord = { id: this.nextRecordId++, dataId, shape, dtype, source, placement: 'replicated', refCount: 1, users: 0 };
    this.records.set(dataId, r);
    this.live++;
    if (source.kind === 'device') this.pin(source.handle, 1);
    return r;
  }

  private setSource(r: TensorRecord, source: TensorSource): void {
    const old = r.source;
    r.source = source;
    if (source.kind === 'device') this.pin(source.handle, 1);
    this.leave(old);
    this.maybeFree(r);
  }

  /** Frees a record nobody needs any more: tfjs disposed it and no pending node reads it. */
  private maybeFree(r: TensorRecord): void {
    if (r.refCount > 0 || r.users > 0 || !this.records.has(r.dataId)) return;
    this.records.delete(r.dataId);
    this.leave(r.source);
  }

  /** Lets go of what a source holds: a server buffer, or a pending node's output. */
  private leave(source: TensorSource): void {
    if (source.kind === 'device') this.pin(source.handle, -1);
    else if (source.kind === 'node') {
      const node = source.node;
      node.pendingOutputs--;
      if (node.pendingOutputs === 0) {
        for (const input of node.inputs) {
          if (input === null) continue;
          input.users--;
          this.maybeFree(input);
        }
      }
    }
  }

  private pin(handle: string, delta: number): void {
    const n = (this.handleUsers.get(handle) ?? 0) + delta;
    if (n > 0) {
      this.handleUsers.set(handle, n);
      return;
    }
    this.handleUsers.delete(handle);
    if (this.consumed.delete(handle)) return;
    this.pendingRelease.push(handle);
    if (!this.releaseScheduled) {
      this.releaseScheduled = true;
      setImmediate(() => this.flushReleases());
    }
  }

  /** Frees released buffers on the server in one call. */
  private flushReleases(): void {
    this.releaseScheduled = false;
    if (this.pendingRelease.length === 0 || this.executor === null) return;
    const handles = this.pendingRelease;
    this.pendingRelease = [];
    const done = this.executor.release(handles).catch(() => {
      // The session may already be closed (teardown), which frees everything anyway.
    });
    this.releasing = Promise.all([this.releasing, done]).then(() => undefined);
  }

  /** Resolves once every buffer released so far is freed on the server. */
  async drain(): Promise<void> {
    await this.chain.catch(() => undefined);
    this.flushReleases();
    await this.releasing;
  }
}

/**
 * A host write that is an op's constant rather than data: larger than a small tensor, one
 * repeated value, written while tfjs records or runs gradients (the ones of Mean's
 * gradient, for example). Baked into the program instead of uploaded every step. Scalars and small tensors
 * are never baked in: optimizer scalars change between steps and must stay arguments.
 */
function opConstant(values: BackendValues, shape: readonly number[]): TensorSource | undefined {
  if (sizeOf(shape) <= SMALL_TENSOR || !(values instanceof Float32Array || values instanceof Int32Array)) return undefined;
  if (!insideGradients()) return undefined;
  const first = values[0];
  if (Number.isNaN(first)) return undefined;
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return undefined;
  return { kind: 'fill', value: first, embed: true };
}

/** True while tfjs records a forward pass for gradients or runs the backward pass. */
function insideGradients(): boolean {
  const state = engine().state as unknown as { gradientDepth: number; scopeStack: { name: string }[] };
  return state.gradientDepth > 0 || state.scopeStack.some((s) => s.name === 'backward');
}

function filled(value: number, shape: readonly number[], dtype: DataType): BackendValues {
  const n = sizeOf(shape);
  const out = dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float32Array(n);
  if (value !== 0) out.fill(value);
  return out;
}
