import { StrataError, quote } from '@strata/core';
import { readWeightBytes } from '../weight-files.js';
import { looksLikeSafetensors, readSafetensors } from './safetensors.js';
import type { StateDict } from './state-dict.js';
import { looksLikeTorchLegacy, readTorchLegacy } from './torch-legacy.js';
import { looksLikeZip, readTorchZip } from './torch-zip.js';

/**
 * Reads a weights file from local disk (a URL, fetched, in a browser build) or memory: a PyTorch state dict saved by `torch.save`
 * (the zip format of torch >= 1.6 or the legacy one) or a safetensors file, told apart by their
 * first bytes. Nothing is downloaded and nothing in the file is executed.
 *
 * @example
 * const { format, tensors } = await readStateDict('efficientnet-b0-355c32eb.pth');
 * tensors.get('_conv_stem.weight')?.shape; // [32, 3, 3, 3]
 */
export async function readStateDict(pathOrBytes: string | Uint8Array): Promise<StateDict> {
  const source = typeof pathOrBytes === 'string' ? quote(pathOrBytes) : 'the weights bytes';
  const bytes = typeof pathOrBytes === 'string' ? await readWeightsFile(pathOrBytes) : pathOrBytes;
  if (looksLikeZip(bytes)) return { format: 'pth-zip', tensors: readTorchZip(bytes, source) };
  if (looksLikeTorchLegacy(bytes)) return { format: 'pth-legacy', tensors: readTorchLegacy(bytes, source) };
  if (looksLikeSafetensors(bytes)) return { format: 'safetensors', tensors: readSafetensors(bytes, source) };
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new StrataError('bad-input', `${source} is neither a PyTorch state dict (torch.save, zip or legacy format) nor a safetensors file (it starts with bytes ${head || 'none'}).`, {
    value: head,
    fix: 'pass a .pth/.pt file written by torch.save(model.state_dict(), path) or a .safetensors file.',
  });
}

async function readWeightsFile(path: string): Promise<Uint8Array> {
  try {
    return await readWeightBytes(path);
  } catch (cause) {
    throw new StrataError('bad-input', `Cannot read the weights file ${quote(path)}.`, { value: path, cause, fix: 'pass the path of a .pth or .safetensors file on local disk.' });
  }
}
