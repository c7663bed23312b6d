import { StrataError, errorReason } from '@strata/core';
import type { BackendValues, DataType } from '@tensorflow/tfjs-core';
import type { Placement } from '../lazy/graph-types.js';
import type { ExecuteResult, LiteralArgument, ProgramExecutor, TensorSpecLike } from '../lazy/program-executor.js';
import { MeshFailure, type MeshMemberName } from './mesh-failure.js';
import { sliceRows, concatValues } from './mesh-values.js';
import type { XlaClient } from './xla-client.js';
import { XlaSession, type SessionUsage } from './xla-session.js';

/** A server's Attach stream that stays silent this long counts as a lost server. */
const SILENCE_MS = 10_000;
/** Pings of each member's Attach stream, so that a silent server is noticed within SILENCE_MS. */
const PING_MS = 2_000;
/** How long the other servers may take to refuse a program one server refused, before the mesh counts as out of step. */
const IN_STEP_MS = 5_000;

/** One buffer of the mesh: its handle on each server, in process order. */
interface MeshBuffer {
  readonly handles: readonly string[];
  readonly placement: Placement;
}

/** One server of the mesh: its session and its process index. */
interface Member extends MeshMemberName {
  readonly session: XlaSession;
}

/**
 * One session over the servers of a jax multi-process mesh, as one executor of the lazy
 * backend. Every server compiles and runs the same program over the global devices; each holds
 * its own rows of split tensors (process p the p-th block of dim 0) and all of a replicated
 * one. Uploads and literals are sliced by process, programs are compiled on every server and
 * run on every server in the same order, one at a time (their collectives pair up across
 * processes), and reads take replicated values from process 0 and concatenate split ones.
 * When a server is lost, every call fails naming it (see `MeshFailure`).
 *
 * @example
 * const mesh = await MeshSession.open([client0, client1], { numDevices: 8 });
 * tf.registerBackend('xla', () => new XlaBackend(mesh));
 */
export class MeshSession implements ProgramExecutor {
  private readonly buffers = new Map<string, MeshBuffer>();
  private readonly resultPlacements = new Map<string, readonly Placement[]>();
  private nextHandle = 0;
  /** The Execute calls go out one program at a time: the previous one's end, or its failure. */
  private lastExecute: Promise<unknown> = Promise.resolve();
  private closed = false;
  readonly failure: MeshFailure;

  private constructor(
    private readonly members: readonly Member[],
    readonly numDevices: number,
  ) {
    this.failure = new MeshFailure(members.length);
    for (const member of members) member.session.onLost((reason) => this.failure.fail(member, reason));
    // Nothing may wait on a server of a failed mesh: the calls still in flight end now.
    this.failure.onFail(() => {
      for (const m of members) m.session.cancelCalls();
    });
  }

  /**
   * Opens one session on each server, given in process order (process_index 0 first).
   * `numDevices` is the global count: a multiple of the number of servers.
   */
  static async open(clients: readonly XlaClient[], options: { numDevices: number; memoryQuotaBytes?: number }): Promise<MeshSession> {
    const sessions = await Promise.allSettled(
      clients.map((client) => XlaSession.open(client, { ...options, processes: clients.length, pingMs: PING_MS, silenceMs: SILENCE_MS })),
    );
    const failed = sessions.findIndex((s) => s.status === 'rejected');
    if (failed >= 0) {
      for (const s of sessions) if (s.status === 'fulfilled') s.value.abandon();
      throw (sessions[failed] as PromiseRejectedResult).reason;
    }
    const members = sessions.map((s, i) => ({
      session: (s as PromiseFulfilledResult<XlaSession>).value,
      address: clients[i].address,
      processIndex: i,
    }));
    return new MeshSession(members, options.numDevices);
  }

  /** Execute calls made to each server, in process order: one per program run. */
  get executeCalls(): number[] {
    return this.members.map((m) => m.session.executeCalls);
  }

  /** The servers' addresses, in process order. */
  get addresses(): string[] {
    return this.members.map((m) => m.address);
  }

  async upload(values: BackendValues, shape: readonly number[], dtype: DataType, placement: Placement): Promise<string> {
    const parts = this.partsOf(values, shape, placement);
    const handles = await this.onEvery((m, p) => m.session.upload(parts[p], shape, dtype, placement));
    return this.adopt(handles, placement);
  }

  async compile(hash: string, text: string, params: readonly TensorSpecLike[], results: readonly TensorSpecLike[]): Promise<boolean> {
    const compiled = await this.onEvery((m) => m.session.compile(hash, text, params, results));
    this.resultPlacements.set(hash, results.map((r) => r.placement));
    return compiled.some(Boolean);
  }

  /** Runs the program on every server (see ProgramExecutor.execute), after the previous run. */
  execute(
    hash: string,
    inputs: readonly string[],
    inlineMaxBytes = 0,
    donate: readonly string[] = [],
    release: readonly string[] = [],
    literals: readonly LiteralArgument[] = [],
    asynchronous = false,
  ): Promise<ExecuteResult> {
    const run = this.lastExecute.then(() => this.executeNow(hash, inputs, inlineMaxBytes, donate, release, literals, asynchronous));
    this.lastExecute = run.catch(() => undefined);
    return run;
  }

  private async executeNow(
    hash: string,
    inputs: readonly string[],
    inlineMaxBytes: number,
    donate: readonly string[],
    release: readonly string[],
    literals: readonly LiteralArgument[],
    asynchronous: boolean,
  ): Promise<ExecuteResult> {
    const placements = this.resultPlacements.get(hash);
    if (placements === undefined) {
      throw new StrataError('bad-input', `Program ${hash.slice(0, 12)} runs on the mesh before it was compiled there.`, {
        value: hash.slice(0, 12),
        fix: 'compile it with compile() on this session first.',
      });
    }
    const inputBuffers = inputs.map((h) => this.buffer(h));
    const donated = donate.map((h) => this.buffer(h));
    const released = release.flatMap((h) => this.buffers.get(h) ?? []);
    for (const h of [...donate, ...release]) this.buffers.delete(h);
    const literalParts = literals.map((l) => this.partsOf(l.values, l.shape, l.placement ?? 'replicated'));
    const runs = this.members.map((m, p) =>
      this.failure.guard(m, () =>
        m.session.execute(
          hash,
          inputBuffers.map((b) => b.handles[p]),
          inlineMaxBytes,
          donated.map((b) => b.handles[p]),
          released.map((b) => b.handles[p]),
          literals.map((l, n) => ({ ...l, values: literalParts[n][p] })),
          asynchronous,
        ),
      ),
    );
    const replies = await this.allInStep(hash, runs);
    const handles = placements.map((placement, i) => this.adopt(replies.map((r) => r.handles[i]), placement));
    const values = placements.map((placement, i) => {
      if (placement === 'replicated') return replies[0].values[i];
      const parts = replies.map((r) => r.values[i]);
      return parts.every((v) => v !== undefined) ? concatValues(parts as BackendValues[]) : undefined;
    });
    return { handles, values };
  }

  /**
   * The replies of one program's runs on every server. A run that fails on some servers only
   * leaves the others waiting in its collectives: the mesh is out of step and fails, naming
   * the server. A run that every server refuses (a request error) fails on its own.
   */
  private async allInStep(hash: string, runs: Promise<ExecuteResult>[]): Promise<ExecuteResult[]> {
    let first: { p: number; error: unknown } | undefined;
    const marked = runs.map((run, p) =>
      run.catch((error: unknown) => {
        first ??= { p, error };
        throw error;
      }),
    );
    try {
      return await Promise.all(marked);
    } catch (error) {
      if (this.failure.current || first === undefined) throw error;
    }
    const failed = first;
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      Promise.allSettled(runs),
      new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), IN_STEP_MS))),
    ]);
    clearTimeout(timer);
    if (settled !== null && settled.every((s) => s.status === 'rejected')) throw failed.error;
    const member = this.members[failed.p];
    throw this.failure.fail(member, `failed program ${hash.slice(0, 12)} (${errorReason(failed.error)}) while the other servers ran it, so the mesh is out of step`, failed.error);
  }

  async fetch(handle: string, dtype: DataType, size: number): Promise<BackendValues> {
    const buffer = this.buffer(handle);
    if (buffer.placement === 'replicated') {
      const [first] = this.members;
      return this.failure.guard(first, () => first.session.fetch(buffer.handles[0], dtype, size));
    }
    const rows = await this.onEvery((m, p) => m.session.fetch(buffer.handles[p], dtype, size / this.members.length));
    return concatValues(rows);
  }

  async release(handles: readonly string[]): Promise<void> {
    const buffers = handles.flatMap((h) => this.buffers.get(h) ?? []);
    for (const h of handles) this.buffers.delete(h);
    if (this.closed || buffers.length === 0) return;
    await this.onEvery((m, p) => m.session.release(buffers.map((b) => b.handles[p])));
  }

  /** Buffers and bytes the mesh's sessions hold, summed over the servers. */
  async usage(): Promise<SessionUsage> {
    const usages = await this.onEvery((m) => m.session.usage());
    return usages.reduce((a, u) => ({ buffers: a.buffers + u.buffers, bytesInUse: a.bytesInUse + u.bytesInUse }), { buffers: 0, bytesInUse: 0 });
  }

  /**
   * Closes the session on every server. After a failure the sessions are given up without a
   * call (a server whose peer died may be stuck or gone); their Attach streams end, upon
   * which a live server frees them.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.buffers.clear();
    if (this.failure.current) {
      for (const m of this.members) m.session.abandon();
      return;
    }
    const closed = await Promise.allSettled(this.members.map((m) => m.session.close()));
    const failed = closed.find((c) => c.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  /** Runs `call` on every server at once, each guarded by the mesh's failure; the results in process order. */
  private onEvery<T>(call: (member: Member, process: number) => Promise<T>): Promise<T[]> {
    return Promise.all(this.members.map((m, p) => this.failure.guard(m, () => call(m, p))));
  }

  /** Each process's part of a value: split, the p-th block of rows; replicated, the whole value. */
  private partsOf(values: BackendValues, shape: readonly number[], placement: Placement): BackendValues[] {
    const count = this.members.length;
    if (placement === 'replicated') return this.members.map(() => values);
    const rows = shape[0] ?? 0;
    if (rows % count !== 0) {
      throw new StrataError('bad-input', `A split tensor of shape [${shape.join(', ')}] has ${rows} rows, which do not divide over the ${count} servers of the mesh.`, {
        value: rows,
        fix: `give split tensors a first dimension that divides by the device count (${this.numDevices}).`,
      });
    }
    return sliceRows(values, rows, count);
  }

  private adopt(handles: readonly string[], placement: Placement): string {
    const handle = `m${this.nextHandle++}`;
    this.buffers.set(handle, { handles, placement });
    return handle;
  }

  private buffer(handle: string): MeshBuffer {
    const buffer = this.buffers.get(handle);
    if (buffer === undefined) {
      throw new StrataError('bad-input', `The mesh session holds no buffer ${JSON.stringify(handle)} (released, donated, or never made).`, {
        value: handle,
        fix: 'pass a handle that upload() or execute() of this session returned and that was not released or donated since.',
      });
    }
    return buffer;
  }
}
