import { StrataError } from '@strata/core';
import type { CheckpointStorage, CheckpointWriteHooks } from './checkpoint-storage.js';
import { defaultCheckpointStorage } from './default-checkpoint-storage.js';
import { parseLossless, stringifyLossless } from './non-finite-json.js';

/**
 * A Strata checkpoint is one file (`.ckpt`), so that one atomic rename publishes it whole:
 *
 *   bytes 0..7    magic "STRATACK"
 *   bytes 8..11   uint32 LE: length H of the header
 *   bytes 12..    the header, UTF-8 JSON: { format: 1 or 2, meta: {...}, tensors: [TensorEntry...] }
 *   then          zero padding to a multiple of 8, then each tensor's raw little-endian bytes at
 *                 `offset` (from the start of this data section), in the header's order.
 *
 * `meta` holds everything that is not a tensor (epoch, steps, schedulers, callbacks, RNG,
 * hyperparameters, the loss scale, the Trainer config and its hash); tensors hold the module's
 * variables (`module/<i>`) and the optimizer's slots (`optimizer/<i>`).
 *
 * Non-finite numbers in `meta` (a NaN loss in the history, an infinite best score) are written as
 * tagged values (non-finite-json.ts), and such a file says format 2, so that a reader that knows
 * only format 1 refuses it instead of misreading the tags; a file without them stays format 1.
 * Files of either format are read; a format-1 file from before the tags holds `null` where a
 * non-finite number was.
 */
export const CHECKPOINT_MAGIC = 'STRATACK';
export const CHECKPOINT_FORMAT = 1;
/** The format of a file whose meta holds tagged non-finite numbers. */
export const CHECKPOINT_FORMAT_NON_FINITE = 2;

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

/** Encodes and atomically writes a checkpoint through `storage` (default: the platform's). */
export async function writeCheckpointFile<M>(
  path: string,
  meta: M,
  tensors: readonly TensorRecord[],
  hooks?: CheckpointWriteHooks,
  storage: CheckpointStorage = defaultCheckpointStorage(),
): Promise<void> {
  const entries: TensorEntry[] = [];
  let offset = 0;
  for (const t of tensors) {
    const byteLength = t.data.byteLength;
    entries.push({ key: t.key, name: t.name, dtype: t.dtype, shape: [...t.shape], offset, byteLength });
    offset += align8(byteLength);
  }
  const encodedMeta = stringifyLossless(meta);
  const format = encodedMeta.tagged ? CHECKPOINT_FORMAT_NON_FINITE : CHECKPOINT_FORMAT;
  const header = new TextEncoder().encode(`{"format":${format},"meta":${encodedMeta.text},"tensors":${JSON.stringify(entries)}}`);
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
  await storage.writeAtomic(path, chunks, hooks);
}

/** Reads and validates a checkpoint file through `storage` (default: the platform's). */
export async function readCheckpointFile<M>(path: string, storage: CheckpointStorage = defaultCheckpointStorage()): Promise<CheckpointFile<M>> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.read(path);
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
  if (bytes.byteLength < 12 || String.fromCharCode(...bytes.subarray(0, 8)) !== CHECKPOINT_MAGIC) corrupt('no STRATACK magic');
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + headerLength > bytes.byteLength) corrupt('truncated header');
  let header: { format: number; meta: M; tensors: TensorEntry[] };
  try {
    header = parseLossless(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as typeof header;
  } catch (error) {
    return corrupt(`its header is not JSON (${(error as Error).message})`);
  }
  if (header.format !== CHECKPOINT_FORMAT && header.format !== CHECKPOINT_FORMAT_NON_FINITE) {
    corrupt(`format ${header.format}, expected ${CHECKPOINT_FORMAT} or ${CHECKPOINT_FORMAT_NON_FINITE} (a newer Strata may have written it)`);
  }
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
