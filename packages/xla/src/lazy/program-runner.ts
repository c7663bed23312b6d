import { StrataError, errorReason } from '@strata/core';
import type { BufferPins } from './buffer-pins.js';
import type { XlaBackendStats } from './backend-stats.js';
import type { LoweredProgram } from './graph-lowerer.js';
import type { TensorRecord } from './graph-types.js';
import type { ExecuteResult, ProgramExecutor } from './program-executor.js';
import type { TensorStore } from './tensor-store.js';
import type { Transfers } from './transfers.js';

/**
 * Results up to this many bytes (4 floats) come back in the Execute reply: a step's loss and
 * scalar metrics are then read without a Fetch round trip.
 */
const INLINE_MAX_BYTES = 16;

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
    const spec = (r: TensorRecord) => ({ shape: r.shape, dtype: r.dtype, placement: r.placement });
    // Arguments upload while the program compiles.
    const uploads = Promise.all(program.params.map((r) => this.transfers.ensureOnDevice(r)));
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
    const release = this.pins.takeReleases();
    let outs: ExecuteResult;
    try {
      outs = await executor.execute(program.hash, handles, INLINE_MAX_BYTES, donate, release);
    } catch (error) {
      this.pins.returnReleases(release);
      if (donate.length === 0) throw error;
      this.pins.consume(donate);
      throw new StrataError('device-error', `A program failed after XLA took over ${donate.length} of its argument buffers (old weights and optimizer state): ${errorReason(error)}`, {
        value: program.hash.slice(0, 12),
        fix: `the model state on the server is gone with them: restore from the last checkpoint (Trainer ckptPath) and fix the cause above${error instanceof StrataError && error.fix ? ` (${error.fix.replace(/\.$/, '')})` : ''}.`,
        cause: error,
      });
    }
    this.stats.uploadMs += t2 - t1;
    this.stats.executeMs += performance.now() - t2;
    this.stats.executions++;
    // The server freed the donated buffers with the run: their records let go without a Release.
    this.pins.consume(donate);
    program.results.forEach((r, i) => {
      const values = outs.values[i];
      this.store.setSource(r, values === undefined ? { kind: 'device', handle: outs.handles[i] } : { kind: 'device', handle: outs.handles[i], values });
    });
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
