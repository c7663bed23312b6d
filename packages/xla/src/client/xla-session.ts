import type * as grpc from '@grpc/grpc-js';
import type { BackendValues, DataType } from '@tensorflow/tfjs-core';
import type { Placement } from '../lazy/graph-types.js';
import type { ExecuteResult, LiteralArgument, ProgramExecutor, TensorSpecLike } from '../lazy/program-executor.js';
import { sizeOf } from '../hlo/hlo-types.js';
import { ExecuteStream } from './execute-stream.js';
import { literalsOf } from './literal-arguments.js';
import { fromBytes, toBytes } from './wire-values.js';
import { DTYPE_OF_WIRE, specOf } from './wire-specs.js';
import type { XlaClient } from './xla-client.js';

const CHUNK = 1 << 20;
/** Uploads in flight at once: a model's hundreds of first-step arguments must not flood the server. */
const MAX_UPLOADS = 16;
const PING_MS = 10_000;

/** What `XlaSession.open` is given. */
export interface XlaSessionOptions {
  readonly numDevices: number;
  /** Session memory quota on the server; 0 or absent: the server's default. */
  readonly memoryQuotaBytes?: number;
  /** Processes of the mesh the server is one of (1: a server of its own): split literals carry 1/processes of the rows. */
  readonly processes?: number;
  /** Interval of the Attach stream's pings, in ms. Default 10 s. */
  readonly pingMs?: number;
  /**
   * When set: the session counts as lost (see `onLost`) when no answer to its pings came for
   * this many ms. Absent: only the end of the Attach stream counts.
   */
  readonly silenceMs?: number;
}

/** A call in flight that can be cancelled (a unary call, an upload or a fetch stream). */
interface Cancellable {
  cancel(): void;
}

interface BufferInfo {
  readonly handle: string;
  readonly nbytes: number;
}

/** An Execute result: its value travels in the reply when the server inlined it. */
interface InlinedBufferInfo extends BufferInfo {
  readonly spec: { readonly dtype: string; readonly shape: readonly (number | string)[] };
  readonly inlined: boolean;
  readonly data: Buffer;
}

/** What a session holds on the server. */
export interface SessionUsage {
  readonly buffers: number;
  readonly bytesInUse: number;
}

/**
 * One session on the XLA server: its buffers live while the Attach stream is open. Implements
 * what the lazy backend needs to run programs.
 *
 * @example
 * const session = await XlaSession.open(client, { numDevices: 8 });
 * tf.registerBackend('xla', () => new XlaBackend(session));
 */
export class XlaSession implements ProgramExecutor {
  private attach: grpc.ClientDuplexStream<object, object> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private uploadsInFlight = 0;
  private readonly uploadQueue: (() => void)[] = [];
  private readonly pongWaiters: { resolve: (pong: SessionUsage) => void; reject: (error: Error) => void }[] = [];
  private readonly calls = new Set<Cancellable>();
  private readonly lostListeners = new Set<(reason: string) => void>();
  private lostReason: string | null = null;
  private lastPongAt = Date.now();
  /** Execute requests on one held-open call (a unary call each on a server without it). */
  private readonly executes: ExecuteStream;

  private constructor(
    private readonly client: XlaClient,
    readonly id: string,
    readonly numDevices: number,
    readonly memoryQuotaBytes: number,
    private readonly processes: number,
  ) {
    const calls = { started: (call: grpc.Call) => this.calls.add(call), ended: (call: grpc.Call) => this.calls.delete(call) };
    this.executes = new ExecuteStream(client, calls, (request) => this.unary('Execute', request));
  }

  static async open(client: XlaClient, options: XlaSessionOptions): Promise<XlaSession> {
    const reply = await client.unary<{ session_id: string; memory_quota_bytes: number; num_devices: number }>(
      'OpenSession',
      { memory_quota_bytes: options.memoryQuotaBytes ?? 0, num_devices: options.numDevices, client: '@strata/xla 0.1.0' },
      30_000,
    );
    const session = new XlaSession(client, reply.session_id, reply.num_devices || options.numDevices, reply.memory_quota_bytes, options.processes ?? 1);
    session.startAttach(options.pingMs ?? PING_MS, options.silenceMs);
    return session;
  }

  /** The server's address. */
  get address(): string {
    return this.client.address;
  }

  /**
   * Holds the Attach stream open (the server frees the session when it ends) and pings it;
   * the stream's end, or `silenceMs` without an answer, makes the session lost.
   */
  private startAttach(pingMs: number, silenceMs: number | undefined): void {
    const stream = (this.client.stub.Attach as (m: grpc.Metadata) => grpc.ClientDuplexStream<object, object>)(this.client.metadata());
    stream.on('data', (pong: { buffers: number; bytes_in_use: number }) => {
      this.lastPongAt = Date.now();
      this.pongWaiters.shift()?.resolve({ buffers: Number(pong.buffers), bytesInUse: Number(pong.bytes_in_use) });
    });
    stream.on('error', (error: Error) => this.lose(`ended the session's Attach stream: ${error.message}`));
    stream.on('end', () => this.lose("ended the session's Attach stream"));
    stream.write({ session_id: this.id });
    this.attach = stream;
    this.lastPongAt = Date.now();
    let lastTick = Date.now();
    this.timer = setInterval(() => {
      const now = Date.now();
      // A late tick means this process was busy (a long trace): answers may wait unread, so the silence starts over.
      if (now - lastTick > 2 * pingMs) this.lastPongAt = now;
      lastTick = now;
      if (silenceMs !== undefined && now - this.lastPongAt > silenceMs) {
        this.lose(`answered no ping of the session for ${Math.round((now - this.lastPongAt) / 1000)} s`);
        return;
      }
      stream.write({ session_id: this.id });
    }, pingMs);
    // The ping must not keep a finished program alive.
    this.timer.unref();
  }

  /**
   * Calls `listener` once with the reason when the session is lost while open: its Attach
   * stream ended (the server went away) or its pings went unanswered for `silenceMs`.
   * Returns the function that removes the listener.
   */
  onLost(listener: (reason: string) => void): () => void {
    if (this.lostReason !== null) {
      listener(this.lostReason);
      return () => undefined;
    }
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  private lose(reason: string): void {
    if (this.closed || this.lostReason !== null) return;
    this.lostReason = reason;
    if (this.timer) clearInterval(this.timer);
    for (const listener of this.lostListeners) listener(reason);
  }

  /** Cancels every call of this session in flight: each rejects with a CANCELLED error. */
  cancelCalls(): void {
    for (const call of [...this.calls]) call.cancel();
    this.calls.clear();
  }

  /**
   * Gives the session up without asking the server (which may be gone or stuck): cancels
   * the calls in flight and ends the Attach stream, upon which a live server frees the
   * session's buffers.
   */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.cancelCalls();
    this.attach?.cancel();
    this.attach = null;
    for (const waiter of this.pongWaiters.splice(0)) waiter.reject(new Error('the session was given up'));
  }

  /** Runs a unary call of this session, tracked so that `cancelCalls` can cancel it. */
  private unary<Res>(method: string, request: object, deadlineMs?: number): Promise<Res> {
    let call: Cancellable | undefined;
    const reply = this.client.unary<Res>(method, request, deadlineMs, (c) => {
      call = c;
      this.calls.add(c);
    });
    return reply.finally(() => {
      if (call) this.calls.delete(call);
    });
  }

  /** Buffers and bytes the session holds on the server now (one ping on the Attach stream). */
  usage(): Promise<SessionUsage> {
    const attach = this.attach;
    if (attach === null) return Promise.reject(new Error('the session is closed'));
    return new Promise((resolve, reject) => {
      this.pongWaiters.push({ resolve, reject });
      attach.write({ session_id: this.id });
    });
  }

  async upload(values: BackendValues, shape: readonly number[], dtype: DataType, placement: Placement): Promise<string> {
    if (this.uploadsInFlight >= MAX_UPLOADS) await new Promise<void>((resolve) => this.uploadQueue.push(resolve));
    this.uploadsInFlight++;
    try {
      return await this.uploadNow(values, shape, dtype, placement);
    } finally {
      this.uploadsInFlight--;
      this.uploadQueue.shift()?.();
    }
  }

  private uploadNow(values: BackendValues, shape: readonly number[], dtype: DataType, placement: Placement): Promise<string> {
    const bytes = toBytes(values, dtype);
    return new Promise<string>((resolve, reject) => {
      const call = (this.client.stub.Upload as (m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: BufferInfo) => void) => grpc.ClientWritableStream<object>)(
        this.client.metadata(),
        (error, reply) => {
          this.calls.delete(call);
          if (error) reject(this.client.wrap('Upload', error));
          else resolve(reply.handle);
        },
      );
      this.calls.add(call);
      const spec = specOf({ shape, dtype, placement });
      if (bytes.length === 0) call.write({ session_id: this.id, spec, data: Buffer.alloc(0) });
      for (let offset = 0; offset < bytes.length; offset += CHUNK) {
        const data = bytes.subarray(offset, Math.min(bytes.length, offset + CHUNK));
        call.write(offset === 0 ? { session_id: this.id, spec, data } : { data });
      }
      call.end();
    });
  }

  async compile(hash: string, text: string, params: readonly TensorSpecLike[], results: readonly TensorSpecLike[]): Promise<boolean> {
    const reply = await this.unary<{ cached: boolean; compile_ms: number }>('Compile', {
      session_id: this.id,
      program_hash: hash,
      stablehlo_text: text,
      num_devices: this.numDevices,
      inputs: params.map(specOf),
      outputs: results.map(specOf),
    });
    return !reply.cached;
  }

  /** Milliseconds the server reported running programs (its execute_ms), summed. */
  serverExecuteMs = 0;
  /** Execute calls this session made. */
  executeCalls = 0;

  /**
   * Runs a compiled program on the server (see ProgramExecutor.execute).
   * @param literals arguments sent by value in the request instead of as uploaded buffers, so
   *   that a step's small host values (learning rate, bias corrections, a small batch) need no
   *   Upload call and no release: each names the argument it fills (`index`, from 0) and
   *   carries its values, shape, dtype and placement (as compiled), at most 1 MiB. `inputs` then lists the handles of the other arguments,
   *   in argument order.
   * @param asynchronous the server replies once the run is queued, before it ends: the caller's
   *   next request overlaps the run; nothing comes back inline.
   * @example
   * // Arguments 0-1 are buffers on the server; argument 2 is this step's learning rate.
   * await session.execute(hash, [weights, batch], 4, [weights], [], [
   *   { index: 2, values: Float32Array.of(lr), shape: [], dtype: 'float32' },
   * ]);
   */
  async execute(
    hash: string,
    inputs: readonly string[],
    inlineMaxBytes = 0,
    donate: readonly string[] = [],
    release: readonly string[] = [],
    literals: readonly LiteralArgument[] = [],
    asynchronous = false,
  ): Promise<ExecuteResult> {
    this.executeCalls++;
    const reply = await this.executes.send<{ outputs: InlinedBufferInfo[]; execute_ms: number }>({
      session_id: this.id,
      program_hash: hash,
      inputs,
      donate,
      inline_max_bytes: inlineMaxBytes,
      release,
      literals: literalsOf(literals, this.processes),
      asynchronous,
    });
    this.serverExecuteMs += reply.execute_ms;
    return {
      handles: reply.outputs.map((o) => o.handle),
      values: reply.outputs.map((o) => (o.inlined ? fromBytes(o.data, DTYPE_OF_WIRE[o.spec.dtype], sizeOf(o.spec.shape.map(Number))) : undefined)),
    };
  }

  fetch(handle: string, dtype: DataType, size: number): Promise<BackendValues> {
    return new Promise<BackendValues>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const call = (this.client.stub.Fetch as (r: object, m: grpc.Metadata) => grpc.ClientReadableStream<{ data: Buffer }>)(
        { session_id: this.id, handle },
        this.client.metadata(),
      );
      this.calls.add(call);
      call.on('data', (chunk) => chunks.push(chunk.data));
      call.on('error', (error) => {
        this.calls.delete(call);
        reject(this.client.wrap('Fetch', error));
      });
      call.on('end', () => {
        this.calls.delete(call);
        resolve(fromBytes(Buffer.concat(chunks), dtype, size));
      });
    });
  }

  async release(handles: readonly string[]): Promise<void> {
    if (this.closed || handles.length === 0) return;
    await this.unary('Release', { session_id: this.id, handles });
  }

  /** Closes the session: the server frees its buffers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.executes.end();
    try {
      await this.client.unary('CloseSession', { session_id: this.id }, 10_000);
    } finally {
      this.attach?.end();
      this.attach = null;
    }
  }
}
