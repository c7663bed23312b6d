import { readFileSync } from 'node:fs';
import { StrataError } from '@strata/core';
import { writeFileAtomic, type AtomicWriteHooks } from './atomic-write.js';

/**
 * A Strata checkpoint is one file (`.ckpt`), so that one atomic rename publishes it whole:
 *
 *   bytes 0..7    magic "STRATACK"
 *   bytes 8..11   uint32 LE: length H of the header
 *   bytes 12..    the header, UTF-8 JSON: { format: 1, meta: {...}, tensors: [TensorEntry...] }
 *   then          zero padding to a multiple of 8, then each tensor's raw little-endian bytes at
 *                 `offset` (from the start of this data section), in the header's order.
 *
 * `meta` holds everything that is not a tensor (epoch, steps, schedulers, callbacks, RNG,
 * hyperparameters, the loss scale, the Trainer config and its hash); tensors hold the module's
 * variables (`module/<i>`) and the optimizer's slots (`optimizer/<i>`).
 */
export const CHECKPOINT_MAGIC = 'STRATACK';
export const CHECKPOINT_FORMAT = 1;

export type TensorDtype = 'float32' | 'int32' | 'bool';

export interface TensorEntry {
  readonly key: string;
  /** The tfjs name of the variable when saved, for messages. */
  readonly name: string;
  readonly dtype: TensorDtype;
  readonly shape: readonly number[];
  readonly offset: number;
  readonly byteLength: number;
}

export interface TensorRecord {
  readonly key: string;
  readonly name: string;
  readonly dtype: TensorDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array | Uint8Array;
}

export interface CheckpointFile<M> {
  readonly meta: M;
  readonly tensors: readonly TensorRecord[];
}

/** Encodes and atomically writes a checkpoint. */
export async function writeCheckpointFile<M>(path: string, meta: M, tensors: readonly TensorRecord[], hooks?: AtomicWriteHooks): Promise<void> {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    const byteLength = t.data.byteLength;
    entries.push({ key: t.key, name: t.name, dtype: t.dtype, shape: [...t.shape], offset, byteLength });
    offset += align8(byteLength);
  }
  const header = new TextEncoder().encode(JSON.stringify({ format: CHECKPOINT_FORMAT, meta, tensors: entries }));
  const prefix = new Uint8Array(align8(12 + header.byteLength));
  prefix.set(new TextEncoder().encode(CHECKPOINT_MAGIC), 0);
  new DataView(prefix.buffer).setUint32(8, header.byteLength, true);
  prefix.set(header, 12);
  const chunks: Uint8Array[] = [prefix];
  for (const t of tensors) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    chunks.push(bytes);
    const pad = align8(bytes.byteLength) - bytes.byteLength;
    if (pad > 0) chunks.push(new Uint8Array(pad));
  }
  await writeFileAtomic(path, chunks, hooks);
}

/** Reads and validates a checkpoint file. */
export function readCheckpointFile<M>(path: string): CheckpointFile<M> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new StrataError('checkpoint-mismatch', `Cannot read checkpoint ${JSON.stringify(path)}: ${(error as Error).message}`, {
      value: path,
      fix: "check the path; ckptPath: 'last' or 'best' picks the ModelCheckpoint's own files.",
      cause: error,
    });
  }
  const corrupt = (why: string): never => {
    throw new StrataError('checkpoint-mismatch', `${JSON.stringify(path)} is not a Strata checkpoint: ${why}.`, {
      value: path,
      fix: 'pass a .ckpt file written by Trainer.saveCheckpoint or ModelCheckpoint.',
    });
  };
  if (bytes.byteLength < 12 || bytes.subarray(0, 8).toString('latin1') !== CHECKPOINT_MAGIC) corrupt('no STRATACK magic');
  const headerLength = bytes.readUInt32LE(8);
  if (12 + headerLength > bytes.byteLength) corrupt('truncated header');
  const header = JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8')) as { format: number; meta: M; tensors: TensorEntry[] };
  if (header.format !== CHECKPOINT_FORMAT) corrupt(`format ${header.format}, expected ${CHECKPOINT_FORMAT}`);
  const base = align8(12 + headerLength);
  const tensors = header.tensors.map((e): TensorRecord => {
    const start = base + e.offset;
    if (start + e.byteLength > bytes.byteLength) corrupt(`tensor ${e.key} is truncated`);
    // Copy into an aligned buffer of its own: typed arrays need aligned offsets.
    const raw = new Uint8Array(e.byteLength);
    raw.set(bytes.subarray(start, start + e.byteLength));
    const data = e.dtype === 'float32' ? new Float32Array(raw.buffer) : e.dtype === 'int32' ? new Int32Array(raw.buffer) : raw;
    return { key: e.key, name: e.name, dtype: e.dtype, shape: e.shape, data };
  });
  return { meta: header.meta, tensors };
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
