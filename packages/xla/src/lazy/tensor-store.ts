import type { DataId, DataType } from '@tensorflow/tfjs-core';
import type { BufferPins } from './buffer-pins.js';
import type { TensorRecord, TensorSource } from './graph-types.js';

/**
 * The lazy backend's tensors: one record per tfjs data id, with tfjs's reference count, the
 * pending nodes that read it, and where its value is. A record is freed once tfjs disposed it
 * and no pending node reads it; the server buffer it held is then released.
 */
export class TensorStore {
  private readonly records = new Map<DataId, TensorRecord>();
  private live = 0;
  private nextId = 0;

  constructor(private readonly pins: BufferPins) {}

  /** Data ids tfjs has not disposed. */
  get liveCount(): number {
    return this.live;
  }

  /** The id the next record gets: records made from here on are newer than every existing one. */
  get nextRecordId(): number {
    return this.nextId;
  }

  get(dataId: DataId): TensorRecord | undefined {
    return this.records.get(dataId);
  }

  has(dataId: DataId): boolean {
    return this.records.has(dataId);
  }

  add(dataId: DataId, shape: number[], dtype: DataType, source: TensorSource): TensorRecord {
    const r: TensorRecord = { id: this.nextId++, dataId, shape, dtype, source, placement: 'replicated', refCount: 1, users: 0 };
    this.records.set(dataId, r);
    this.live++;
    if (source.kind === 'device') this.pins.pin(source.handle, 1);
    return r;
  }

  /** The record's value is now at `source` (uploaded, computed): the old source is let go. */
  setSource(r: TensorRecord, source: TensorSource): void {
    const old = r.source;
    r.source = source;
    if (source.kind === 'device') this.pins.pin(source.handle, 1);
    this.leave(old);
    this.maybeFree(r);
  }

  incRef(dataId: DataId): void {
    const r = this.records.get(dataId);
    if (r) r.refCount++;
  }

  refCount(dataId: DataId): number {
    return this.records.get(dataId)?.refCount ?? 0;
  }

  /** tfjs's disposeData: drops one reference (all with `force`); true once none is left. */
  dispose(dataId: DataId, force: boolean): boolean {
    const r = this.records.get(dataId);
    if (r === undefined || r.refCount === 0) return true;
    r.refCount = force ? 0 : r.refCount - 1;
    if (r.refCount > 0) return false;
    this.live--;
    this.maybeFree(r);
    return true;
  }

  /** Forgets every record (the backend is disposed). */
  clear(): void {
    this.records.clear();
    this.live = 0;
  }

  /** Live tensors still to be computed, in creation order. */
  pending(): TensorRecord[] {
    const out: TensorRecord[] = [];
    for (const r of this.records.values()) if (r.refCount > 0 && r.source.kind === 'node') out.push(r);
    return out.sort((a, b) => a.id - b.id);
  }

  /** Frees a record nobody needs any more: tfjs disposed it and no pending node reads it. */
  private maybeFree(r: TensorRecord): void {
    if (r.refCount > 0 || r.users > 0 || !this.records.has(r.dataId)) return;
    this.records.delete(r.dataId);
    this.leave(r.source);
  }

  /** Lets go of what a source holds: a server buffer, or a pending node's output. */
  private leave(source: TensorSource): void {
    if (source.kind === 'device') this.pins.pin(source.handle, -1);
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
}
