import type { BackendValues } from '@tensorflow/tfjs-core';
import { sizeOf } from '../hlo/hlo-types.js';
import { SMALL_TENSOR, smallValueKey } from './argument-key.js';
import type { BufferPins } from './buffer-pins.js';
import type { XlaBackendStats } from './backend-stats.js';
import type { TensorRecord } from './graph-types.js';
import { filled } from './host-values.js';
import type { LiteralArgument, ProgramExecutor } from './program-executor.js';
import { padRows, trueRows, wireShape } from './split-padding.js';
import type { TensorStore } from './tensor-store.js';

/** Host values up to this size go with an Execute call as literals rather than as uploads. */
export const LITERAL_MAX_BYTES = 1 << 20;

/** Distinct small values whose server buffers are kept for reuse. */
const SMALL_CACHE_LIMIT = 512;

/**
 * Moves values between the host and the server: uploads of host tensors and fills (one at a
 * time per tensor, small values once per distinct value), and reads of results.
 */
export class Transfers {
  /** Small replicated values already on the server, by value key. */
  private readonly smallCache = new Map<string, string>();
  private readonly inflight = new Map<TensorRecord, Promise<string>>();
  /**
   * Host tensors that went with an Execute by value once: a second use uploads them, so a
   * tensor used call after call (a fixed batch, a lookup table) crosses the wire once and then
   * stays on the server, as an array put on the device does in jax.
   */
  private readonly sentByValue = new WeakSet<TensorRecord>();

  constructor(
    private readonly store: TensorStore,
    private readonly pins: BufferPins,
    private readonly stats: XlaBackendStats,
    private readonly executor: () => ProgramExecutor,
  ) {}

  /** Starts uploading a host tensor or fill now, unless its upload is already under way. */
  prefetch(r: TensorRecord): void {
    if (!this.inflight.has(r)) {
      const upload = this.ensureOnDevice(r);
      // A failure surfaces when a program needs the tensor.
      upload.catch(() => undefined);
    }
  }

  /** The server buffer holding the tensor's value, uploading it first where needed. */
  ensureOnDevice(r: TensorRecord): Promise<string> {
    const s = r.source;
    if (s.kind === 'device') return Promise.resolve(s.handle);
    let upload = this.inflight.get(r);
    if (upload === undefined) {
      upload = this.upload(r).finally(() => this.inflight.delete(r));
      this.inflight.set(r, upload);
    }
    return upload;
  }

  /** The tensor's values on the host: its own, or fetched from the server unless they came back inline. */
  async valuesOf(r: TensorRecord): Promise<BackendValues> {
    const s = r.source;
    switch (s.kind) {
      case 'host':
        return s.values;
      case 'fill':
        return filled(s.value, r.shape, r.dtype);
      case 'device':
        if (s.values !== undefined) return s.values;
        this.stats.fetches++;
        // A padded split buffer comes back with its padding rows, which are cut off here.
        return trueRows(await this.executor().fetch(s.handle, r.dtype, sizeOf(this.wireShapeOf(r))), r.shape);
      case 'node':
        throw new Error(`internal: tensor ${r.id} is still pending after a flush`);
    }
  }

  /**
   * Whether the record's value would go with an Execute call as a literal: a host value or fill
   * of at most `LITERAL_MAX_BYTES` whose upload has not started and that has not gone by value
   * before.
   */
  goesAsLiteral(r: TensorRecord): boolean {
    const s = r.source;
    if ((s.kind !== 'host' && s.kind !== 'fill') || this.inflight.has(r) || this.sentByValue.has(r)) return false;
    return sizeOf(this.wireShapeOf(r)) * (r.dtype === 'bool' ? 1 : 4) <= LITERAL_MAX_BYTES;
  }

  /**
   * The record's value as a literal of an Execute call, when it goes that way (`goesAsLiteral`).
   * It then needs no Upload call and leaves no buffer on the server; its next use uploads it.
   */
  literalOf(r: TensorRecord, index: number): LiteralArgument | undefined {
    const s = r.source;
    if (!this.goesAsLiteral(r) || (s.kind !== 'host' && s.kind !== 'fill')) return undefined;
    this.sentByValue.add(r);
    const wire = this.wireShapeOf(r);
    const values = s.kind === 'host' ? s.values : filled(s.value, r.shape, r.dtype);
    return { index, values: padRows(values, r.shape, wire), shape: wire, dtype: r.dtype, placement: r.placement };
  }

  /** The shape the tensor has on the server: a split batch whose rows do not divide by the devices is padded. */
  private wireShapeOf(r: TensorRecord): number[] {
    return wireShape(r.shape, r.placement, this.executor().numDevices);
  }

  /** Forgets the cached small values (a new session). */
  forget(): void {
    this.smallCache.clear();
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
        this.store.setSource(r, { kind: 'device', handle: cached });
        return cached;
      }
    }
    const wire = this.wireShapeOf(r);
    const handle = await this.executor().upload(padRows(values, r.shape, wire), wire, r.dtype, r.placement);
    this.stats.uploads++;
    if (key !== undefined) {
      this.smallCache.set(key, handle);
      this.pins.pin(handle, 1);
      if (this.smallCache.size > SMALL_CACHE_LIMIT) {
        const [oldKey, oldHandle] = this.smallCache.entries().next().value as [string, string];
        this.smallCache.delete(oldKey);
        this.pins.pin(oldHandle, -1);
      }
    }
    if (!this.store.has(r.dataId)) {
      // Disposed while uploading (a prefetched batch nobody used): free the buffer again.
      this.pins.pin(handle, 1);
      this.pins.pin(handle, -1);
    } else if (r.source.kind === 'host' || r.source.kind === 'fill') {
      this.store.setSource(r, { kind: 'device', handle });
    }
    return handle;
  }
}
