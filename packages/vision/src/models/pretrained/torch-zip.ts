import { unzipSync } from 'fflate';
import { BufferReader } from 'pickleparser';
import { StrataError, quote } from '@strata/core';
import type { StateDictTensor } from './state-dict.js';
import { findStateDict, materialise, readPickle, torchUnpickler } from './torch-pickle.js';

/** Whether `bytes` start like a zip archive (a local file header), as torch.save writes since torch 1.6. */
export function looksLikeZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/**
 * The tensors of a `torch.save` zip archive: `<name>/data.pkl` (the pickled state dict, whose
 * tensors name their storages) and `<name>/data/<key>` (each storage's raw little-endian bytes).
 */
export function readTorchZip(bytes: Uint8Array, source: string): Map<string, StateDictTensor> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (cause) {
    throw new StrataError('bad-input', `Cannot unzip ${source}: ${(cause as Error).message}.`, { value: source, cause, fix: 'the file is truncated or corrupt: save it again.' });
  }
  const pickles = Object.keys(files).filter((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickles.length !== 1) {
    throw new StrataError('bad-input', `${source} is a zip archive but not one torch.save wrote: it has ${pickles.length === 0 ? 'no' : 'more than one'} <name>/data.pkl (entries: ${quote(Object.keys(files).slice(0, 6))}).`, {
      value: source,
      fix: 'pass a file written by torch.save(model.state_dict(), path).',
    });
  }
  const prefix = pickles[0]!.slice(0, -'data.pkl'.length);
  const byteorder = files[`${prefix}byteorder`];
  if (byteorder !== undefined && new TextDecoder().decode(byteorder).trim() !== 'little') {
    throw new StrataError('bad-input', `${source} was saved on a big-endian machine; Strata reads little-endian storages only.`, { value: source, fix: 'load and save it again with torch on a little-endian machine (any x86 or ARM PC).' });
  }
  const root = readPickle(torchUnpickler(source).parser, new BufferReader(files[pickles[0]!]!), 'state dict (data.pkl)', source);
  return materialise(findStateDict(root, source), (storage, key) => {
    const data = files[`${prefix}data/${storage.key}`];
    if (data === undefined) {
      throw new StrataError('bad-input', `${source} lacks the storage ${quote(`${prefix}data/${storage.key}`)} of tensor ${quote(key)}.`, { value: key, fix: 'the file is truncated or corrupt: save it again.' });
    }
    return data;
  }, source);
}
