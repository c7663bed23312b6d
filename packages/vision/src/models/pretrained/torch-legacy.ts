import { BufferReader } from 'pickleparser';
import { StrataError, quote } from '@strata/core';
import { DTYPE_BYTES, type StateDictTensor } from './state-dict.js';
import { findStateDict, materialise, readPickle, torchUnpickler } from './torch-pickle.js';

/**
 * torch's magic number 0x1950a86a20f9469cfc6c pickled with protocol 2 (PROTO 2, LONG1 of ten
 * bytes, STOP): the first pickle of every file `torch.save` wrote in the legacy format.
 */
const LEGACY_MAGIC = Uint8Array.of(0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e);

/** Whether `bytes` start with the legacy torch.save magic number. */
export function looksLikeTorchLegacy(bytes: Uint8Array): boolean {
  return bytes.length >= LEGACY_MAGIC.length && LEGACY_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * The tensors of a file `torch.save` wrote in its legacy format (before torch 1.6, or with
 * `_use_new_zipfile_serialization=False`): pickles of the magic number, the protocol version and
 * the system info, then the pickled state dict (whose tensors name their storages by key), the
 * pickled list of storage keys, and each storage in that order as an int64 element count
 * followed by its raw little-endian bytes.
 */
export function readTorchLegacy(bytes: Uint8Array, source: string): Map<string, StateDictTensor> {
  const reader = new BufferReader(bytes);
  reader.skip(LEGACY_MAGIC.length);
  const { parser, storages } = torchUnpickler(source);
  const version = readPickle(parser, reader, 'protocol version', source);
  const sysInfo = readPickle(parser, reader, 'system info', source);
  if (version !== 1001) {
    throw new StrataError('bad-input', `${source} has legacy torch.save protocol version ${quote(version)}; Strata reads version 1001.`, { value: version, fix: 'load it with torch and save it again (torch.save(torch.load(path), new_path)).' });
  }
  if (sysInfo instanceof Map && sysInfo.get('little_endian') === false) {
    throw new StrataError('bad-input', `${source} was saved on a big-endian machine; Strata reads little-endian storages only.`, { value: source, fix: 'load and save it again with torch on a little-endian machine (any x86 or ARM PC).' });
  }
  const refs = findStateDict(readPickle(parser, reader, 'state dict', source), source);
  const keys = readPickle(parser, reader, 'list of storage keys', source);
  if (!Array.isArray(keys)) {
    throw new StrataError('bad-input', `${source} has no list of storage keys after its state dict.`, { value: source, fix: 'the file is truncated or corrupt: save it again.' });
  }

  // The storages follow in the order of the keys, each with its element count.
  const data = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let position = reader.position;
  for (const raw of keys) {
    const key = String(raw);
    const storage = storages.get(key);
    if (storage === undefined || position + 8 > bytes.length) break;
    const length = Number(view.getBigInt64(position, true)) * DTYPE_BYTES[storage.dtype];
    data.set(key, bytes.subarray(position + 8, Math.min(bytes.length, position + 8 + length)));
    position += 8 + length;
  }
  return materialise(refs, (storage, key) => {
    const found = data.get(storage.key);
    if (found === undefined) {
      throw new StrataError('bad-input', `${source} ends before the storage ${quote(storage.key)} of tensor ${quote(key)}.`, { value: key, fix: 'the file is truncated: save or copy it again.' });
    }
    return found;
  }, source);
}
