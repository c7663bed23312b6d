import type * as grpc from '@grpc/grpc-js';
import type { BackendValues, DataType } from '@tensorflow/tfjs-core';
import type { Placement } from '../lazy/graph-types.js';
import type { ExecuteResult, LiteralArgument, ProgramExecutor, TensorSpecLike } from '../lazy/program-executor.js';
import { sizeOf } from '../hlo/hlo-types.js';
import { literalsOf } from './literal-arguments.js';
import { fromBytes, toBytes } from './wire-values.js';
import { DTYPE_OF_WIRE, specOf } from './wire-specs.js';
import type { XlaClient } from './xla-client.js';

const CHUNK = 1 << 20;
/** Uploads in flight at once: a model's hundreds of first-step arguments must not flood the server. */
const MAX_UPLOADS = 16;
const PING_MS = 10_000;

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
  private readonly pongWaiters: ((pong: SessionUsage) => void)[] = [];

  private constructor(
    private readonly client: XlaClient,
    readonly id: string,
    readonly numDevices: number,
    readonly memoryQuotaBytes: number,
  ) {}

  static async open(client: XlaClient, options: { numDevices: number; memoryQuotaBytes?: number }): Promise<XlaSession> {
    const reply = await client.unary<{ session_id: string; memory_quota_bytes: number; num_devices: number }>(
      'OpenSession',
      { memory_quota_bytes: options.memoryQuotaBytes ?? 0, num_devices: options.numDevices, client: '@strata/xla 0.1.0' },
      30_000,
    );
    const session = new XlaSession(client, reply.session_id, reply.num_devices || options.numDevices, reply.memory_quota_bytes);
    session.startAttach();
    return session;
  }

  /** Holds the Attach stream open (the server frees the session when it ends) and pings it. */
  private startAttach(): void {
    const stream = (this.client.stub.Attach as (m: grpc.Metadata) => grpc.ClientDuplexStream<object, object>)(this.client.metadata());
    stream.on('data', (pong: { buffers: number; bytes_in_use: number }) =>
      this.pongWaiters.shift()?.({ buffers: Number(pong.buffers), bytesInUse: Number(pong.bytes_in_use) }),
    );
    stream.on('error', () => undefined);
    stream.write({ session_id: this.id });
    this.attach = stream;
    this.timer = setInterval(() => stream.write({ session_id: this.id }), PING_MS);
    // The ping must not keep a finished program alive.
    this.timer.unref();
  }

  /** Buffers and bytes the session holds on the server now (one ping on the Attach stream). */
  usage(): Promise<SessionUsage> {
    const attach = this.attach;
    if (attach === null) return Promise.reject(new Error('the session is closed'));
    return new Promise((resolve) => {
      this.pongWaiters.push(resolve);
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
        (error, reply) => (error ? reject(this.client.wrap('Upload', error)) : resolve(reply.handle)),
      );
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
    const reply = await this.client.unary<{ cached: boolean; compile_ms: number }>('Compile', {
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

  /**
   * Runs a compiled program on the server (see ProgramExecutor.execute).
   * @param literals arguments sent by value in the request instead of as uploaded buffers, so
   *   that a step's small host values (learning rate, bias corrections, a small batch) need no
   *   Upload call and no release: each names the argument it fills (`index`, from 0) and
   *   carries its values, shape, dtype and placement (as compiled), at most 1 MiB. `inputs` then lists the handles of the other arguments,
   *   in argument order.
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
  ): Promise<ExecuteResult> {
    const reply = await this.client.unary<{ outputs: InlinedBufferInfo[]; execute_ms: number }>('Execute', {
      session_id: this.id,
      program_hash: hash,
      inputs,
      donate,
      inline_max_bytes: inlineMaxBytes,
      release,
      literals: literalsOf(literals),
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
      call.on('data', (chunk) => chunks.push(chunk.data));
      call.on('error', (error) => reject(this.client.wrap('Fetch', error)));
      call.on('end', () => resolve(fromBytes(Buffer.concat(chunks), dtype, size)));
    });
  }

  async release(handles: readonly string[]): Promise<void> {
    if (this.closed || handles.length === 0) return;
    await this.client.unary('Release', { session_id: this.id, handles });
  }

  /** Closes the session: the server frees its buffers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    try {
      await this.client.unary('CloseSession', { session_id: this.id }, 10_000);
    } finally {
      this.attach?.end();
      this.attach = null;
    }
  }
}
