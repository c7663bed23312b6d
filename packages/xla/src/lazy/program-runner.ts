import { StrataError, errorReason } from '@strata/core';
import type { BufferPins } from './buffer-pins.js';
import type { XlaBackendStats } from './backend-stats.js';
import type { LoweredProgram } from './graph-lowerer.js';
import type { TensorRecord } from './graph-types.js';
import type { ExecuteResult, LiteralArgument, ProgramExecutor, TensorSpecLike } from './program-executor.js';

/** A program's arguments on their way: the literals, and every argument's buffer handle (null for a literal). */
export interface ProgramArguments {
  readonly literals: readonly LiteralArgument[];
  readonly handles: Promise<(string | null)[]>;
}
import { wireShape } from './split-padding.js';
import type { TensorStore } from './tensor-store.js';
import type { Transfers } from './transfers.js';

/**
 * Results up to this many bytes (4 floats) come back in the Execute reply: a step's loss and
 * scalar metrics are then read without a Fetch round trip.
 */
const INLINE_MAX_BYTES = 16;

/** Literal bytes one Execute call carries at most (the first step of a large model uploads its initial weights instead). */
const LITERALS_PER_CALL_BYTES = 8 << 20;

/**
 * Runs lowered programs on the server: compiles a program the first time its hash is seen,
 * uploads its arguments meanwhile, donates the argument buffers nothing needs after the run,
 * and makes the results the new sources of their tensors.
 */
export class ProgramRunner {
  private readonly seenHashes = new Set<string>();

  constructor(
    private readonly store: TensorStore,
    private readonly pins: BufferPins,
    private readonly transfers: Transfers,
    private readonly stats: XlaBackendStats,
    private readonly executor: () => ProgramExecutor,
  ) {}

  async run(program: LoweredProgram): Promise<void> {
    const executor = this.executor();
    // Arguments are compiled at their wire shapes (padded split batches), results at their true shapes.
    const spec = (r: TensorRecord, shape: readonly number[]) => ({ shape, dtype: r.dtype, placement: r.placement });
    const params = program.params.map((r) => spec(r, wireShape(r.shape, r.placement, executor.numDevices)));
    // The lowered module returns every result replicated, whatever placement its tensor has asked for since.
    const results = program.results.map((r) => ({ shape: r.shape, dtype: r.dtype, placement: 'replicated' as const }));
    // Arguments upload while the program compiles (small host values go with the Execute).
    const args = this.argumentsOf(program.params, () => true);
    await this.ensureCompiled(program.hash, program.text, params, results);
    const aliased = new Set(program.aliased);
    const outs = await this.execute(program.hash, args, (i) => aliased.has(i) && this.isDead(program.params[i]));
    program.results.forEach((r, i) => {
      const values = outs.values[i];
      this.store.setSource(r, values === undefined ? { kind: 'device', handle: outs.handles[i] } : { kind: 'device', handle: outs.handles[i], values });
    });
  }

  /** Compiles a program on the server unless this session did already (its hash was seen). */
  async ensureCompiled(hash: string, text: string, params: readonly TensorSpecLike[], results: readonly TensorSpecLike[]): Promise<void> {
    if (this.seenHashes.has(hash)) return;
    const t0 = performance.now();
    const compiled = await this.executor().compile(hash, text, params, results);
    if (compiled) {
      this.stats.compilations++;
      this.stats.compileMs += performance.now() - t0;
    }
    this.seenHashes.add(hash);
    this.stats.programs++;
  }

  /**
   * How each argument travels: host values up to a literal's size whose upload has not
   * started (and that `literal` allows) go by value with the Execute; the others are uploaded
   * now, if they are not on the server already.
   */
  argumentsOf(params: readonly TensorRecord[], literal: (index: number) => boolean): ProgramArguments {
    const literals: LiteralArgument[] = [];
    let bytes = 0;
    const uploads: (Promise<string> | null)[] = params.map((r, i) => {
      const value = literal(i) ? this.transfers.literalOf(r, i) : undefined;
      const size = value === undefined ? 0 : (value.values as ArrayLike<number> & { byteLength: number }).byteLength;
      if (value === undefined || bytes + size > LITERALS_PER_CALL_BYTES) return this.transfers.ensureOnDevice(r);
      bytes += size;
      literals.push(value);
      return null;
    });
    const handles = Promise.all(uploads);
    handles.catch(() => undefined);
    return { literals, handles };
  }

  /**
   * Runs a compiled program on its arguments (`args` from `argumentsOf`), donating the
   * arguments `donate` selects, with the releases gathered since the last run. The result
   * handles are the caller's to adopt. `asynchronous`: see ProgramExecutor.execute.
   */
  async execute(hash: string, args: ProgramArguments, donate: (index: number) => boolean, asynchronous = false): Promise<ExecuteResult> {
    const executor = this.executor();
    const t1 = performance.now();
    const all = await args.handles;
    const t2 = performance.now();
    const handles = all.filter((h): h is string => h !== null);
    // Aliased arguments whose buffers nothing needs after this run go to XLA; the server
    // copies the others before the program consumes them.
    const donated = all.flatMap((h, i) => (h !== null && donate(i) ? [h] : []));
    // Buffers released since the last flush travel with this run rather than in a call of their own.
    const release = this.pins.takeReleases();
    let outs: ExecuteResult;
    try {
      outs = await executor.execute(hash, handles, INLINE_MAX_BYTES, donated, release, args.literals, asynchronous);
    } catch (error) {
      this.pins.returnReleases(release);
      if (donated.length === 0) throw error;
      this.pins.consume(donated);
      const innerFix = error instanceof StrataError ? error.fix : undefined;
      throw new StrataError('device-error', `A program failed after XLA took over ${donated.length} of its argument buffers (old weights and optimizer state): ${errorReason(error)}`, {
        value: hash.slice(0, 12),
        // A cause whose own fix already says to resume from a checkpoint (a lost server) is the whole fix.
        fix: innerFix?.includes('checkpoint')
          ? innerFix
          : `the model state on the server is gone with them: restore from the last checkpoint (Trainer ckptPath) and fix the cause above${innerFix ? ` (${innerFix.replace(/\.$/, '')})` : ''}.`,
        cause: error,
      });
    }
    this.stats.uploadMs += t2 - t1;
    this.stats.executeMs += performance.now() - t2;
    this.stats.executions++;
    if (asynchronous) this.stats.asynchronousExecutions++;
    this.stats.literals += args.literals.length;
    // The server freed the donated buffers with the run: their records let go without a Release.
    this.pins.consume(donated);
    return outs;
  }

  /** Forgets which programs were compiled (a new session compiles them again). */
  forget(): void {
    this.seenHashes.clear();
  }

  /**
   * Whether an argument's server buffer is dead once the program ran: tfjs disposed the
   * tensor (pending nodes keep it) and no other tensor or cache holds the buffer.
   */
  private isDead(r: TensorRecord): boolean {
    return r.refCount === 0 && r.source.kind === 'device' && this.pins.holders(r.source.handle) === 1;
  }
}
