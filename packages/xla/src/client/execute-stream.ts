import * as grpc from '@grpc/grpc-js';
import type { XlaClient } from './xla-client.js';

/** What a session needs to know of the stream's call: it starts (cancellable) and ends. */
export interface CallTracker {
  started(call: grpc.Call): void;
  ended(call: grpc.Call): void;
}

/** How long a call with no request waiting stays open. */
export const IDLE_END_MS = 1000;

interface Waiter {
  readonly request: object;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A session's Execute requests as messages of one ExecuteStream call, opened at the first run
 * and held open: a message costs the client and the server a fraction of what a unary call
 * does (no new HTTP/2 stream, headers and call set-up per run), which is most of a small
 * program's round trip. The server answers in order, so each reply goes to the oldest request
 * waiting. An error ends the call: the request it answered rejects with it, and so do the
 * requests sent after it (the server ran none of them); the next request opens a new call. A
 * server without ExecuteStream (UNIMPLEMENTED) gets unary Execute calls from then on. An open
 * call keeps Node's event loop alive, so a call with no request waiting ends after
 * IDLE_END_MS: a training loop keeps it open, and a host app that never closes its session
 * still exits.
 */
export class ExecuteStream {
  private call: grpc.ClientDuplexStream<object, unknown> | null = null;
  private readonly waiting: Waiter[] = [];
  private streams = true;
  private idle: NodeJS.Timeout | null = null;

  constructor(
    private readonly client: XlaClient,
    private readonly tracker: CallTracker,
    /** One unary Execute: for a server that does not stream. */
    private readonly unary: (request: object) => Promise<unknown>,
  ) {}

  /** Sends one ExecuteRequest; resolves with its ExecuteReply. */
  send<Reply>(request: object): Promise<Reply> {
    if (!this.streams) return this.unary(request) as Promise<Reply>;
    return new Promise<Reply>((resolve, reject) => {
      const call = this.open();
      this.waiting.push({ request, resolve: resolve as (reply: unknown) => void, reject });
      call.write(request);
    });
  }

  /** Ends the call (the server sees the stream's end), once no reply is awaited. */
  end(): void {
    this.stopIdleTimer();
    const call = this.call;
    this.call = null;
    call?.end();
  }

  private open(): grpc.ClientDuplexStream<object, unknown> {
    if (this.call !== null) return this.call;
    const call = (this.client.stub.ExecuteStream as (m: grpc.Metadata) => grpc.ClientDuplexStream<object, unknown>)(this.client.metadata());
    this.call = call;
    this.tracker.started(call);
    call.on('data', (reply: unknown) => {
      this.waiting.shift()?.resolve(reply);
      if (this.waiting.length === 0) this.startIdleTimer();
    });
    call.on('error', (error: grpc.ServiceError) => this.fail(call, error));
    call.on('end', () => this.fail(call, Object.assign(new Error('the server ended the Execute stream'), { code: grpc.status.UNAVAILABLE, details: '', metadata: new grpc.Metadata() })));
    return call;
  }

  /**
   * Arms the idle end, or pushes it back: one timer per call, refreshed at each reply that
   * leaves nothing waiting, rather than a new timer a step. A timer that fires while requests
   * wait does nothing; the reply that empties the queue arms it again.
   */
  private startIdleTimer(): void {
    if (this.idle !== null) {
      this.idle.refresh();
      return;
    }
    this.idle = setTimeout(() => {
      this.idle = null;
      if (this.waiting.length === 0) this.end();
    }, IDLE_END_MS);
    this.idle.unref();
  }

  private stopIdleTimer(): void {
    if (this.idle !== null) clearTimeout(this.idle);
    this.idle = null;
  }

  /** The call ended with `error` (or ended early): its waiting requests reject with it. */
  private fail(call: grpc.ClientDuplexStream<object, unknown>, error: grpc.ServiceError): void {
    this.tracker.ended(call);
    if (this.call === call) this.call = null;
    const waiting = this.waiting.splice(0);
    if (waiting.length === 0) return;
    if (error.code === grpc.status.UNIMPLEMENTED) {
      // An older server: the same requests as unary calls, in order.
      this.streams = false;
      let chain: Promise<unknown> = Promise.resolve();
      for (const w of waiting) {
        chain = chain.then(() => this.unary(w.request)).then(w.resolve, w.reject);
      }
      return;
    }
    const wrapped = this.client.wrap('Execute', error);
    for (const w of waiting) w.reject(wrapped);
  }
}
