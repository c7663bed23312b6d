import { BufferReader, NameRegistry, Parser } from 'pickleparser';
import { StrataError, quote } from '@strata/core';
import { floatValues, viewEnd } from './float-values.js';
import { DTYPE_BYTES, isFloat, type StateDictTensor, type TensorDtype } from './state-dict.js';

/** A storage a pickled tensor points at: its key (a file in the zip, a block in the legacy file). */
export interface StorageRef {
  readonly key: string;
  readonly dtype: TensorDtype;
  /** Elements in the storage, as the persistent id records them. */
  readonly numel: number;
}

/** A pickled tensor: a view of a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

/** PyTorch's typed-storage classes, which name a storage's dtype in the pickle. */
const STORAGE_DTYPES: Readonly<Record<string, TensorDtype>> = {
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  DoubleStorage: 'float64',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** Marks the value a storage class's GLOBAL resolves to, so the persistent id can name its dtype. */
class StorageType {
  constructor(readonly dtype: TensorDtype) {}
}

/**
 * A pickle reader for what `torch.save` writes, with PyTorch's globals resolved to plain data:
 * `OrderedDict` to a Map, `_rebuild_tensor_v2` (and `_rebuild_tensor`, `_rebuild_parameter`) to
 * a `TensorRef`, storages (persistent ids) to a `StorageRef`. Nothing in the file is executed:
 * any other global becomes an inert placeholder object. `storages` collects every storage the
 * pickles read so far refer to, by key.
 */
export function torchUnpickler(source: string): { parser: Parser; storages: Map<string, StorageRef> } {
  const storages = new Map<string, StorageRef>();
  const registry = new NameRegistry()
    .register('collections', 'OrderedDict', () => new Map())
    .register('torch._utils', '_rebuild_tensor', (storage: unknown, offset: number, shape: number[], stride: number[]) => tensorRef(storage, offset, shape, stride, source))
    .register('torch._utils', '_rebuild_tensor_v2', (storage: unknown, offset: number, shape: number[], stride: number[]) => tensorRef(storage, offset, shape, stride, source))
    .register('torch._utils', '_rebuild_parameter', (data: unknown) => data)
    .register('torch._utils', '_rebuild_parameter_with_state', (data: unknown) => data);
  const storageTypes = new Map(Object.entries(STORAGE_DTYPES).map(([name, dtype]) => [name, new StorageType(dtype)]));
  // A storage class is never called: the pickle passes it in a persistent id, so it resolves to a marker of its dtype.
  const resolver = {
    resolve: (module: string, name: string) => ((module === 'torch' && storageTypes.get(name)) || registry.resolve(module, name)) as never,
  };
  const parser = new Parser({
    nameResolver: resolver,
    unpicklingTypeOfDictionary: 'Map',
    persistentResolver: {
      resolve: (pid: unknown) => {
        const storage = storageRef(pid, source);
        storages.set(storage.key, storage);
        return storage;
      },
    },
  });
  return { parser, storages };
}

/** Reads one pickle from `reader` (which then stands after its STOP). */
export function readPickle(parser: Parser, reader: BufferReader, what: string, source: string): unknown {
  try {
    return parser.read(reader);
  } catch (cause) {
    if (cause instanceof StrataError) throw cause;
    throw new StrataError('bad-input', `Cannot read the ${what} of ${source}: ${(cause as Error).message}.`, {
      value: source,
      cause,
      fix: 'pass a file written by torch.save(model.state_dict(), path); a truncated download fails this way.',
    });
  }
}

/**
 * The state dict in an unpickled checkpoint: the object itself when it maps names to tensors,
 * else the first of its entries `state_dict`, `model_state_dict`, `model` that does (the layouts
 * of PyTorch Lightning and common training scripts).
 */
export function findStateDict(root: unknown, source: string): Map<string, TensorRef> {
  const isStateDict = (value: unknown): value is Map<string, unknown> => value instanceof Map && [...value.values()].some((v) => v instanceof TensorRef);
  const candidates = [root, ...['state_dict', 'model_state_dict', 'model'].map((k) => (root instanceof Map ? root.get(k) : undefined))];
  const found = candidates.find(isStateDict);
  if (found === undefined) {
    const what = root instanceof Map ? `a dict with keys ${quote([...root.keys()].slice(0, 8))}` : describe(root);
    throw new StrataError('bad-input', `${source} holds ${what}, not a state dict of tensors.`, {
      value: source,
      fix: 'save the weights with torch.save(model.state_dict(), path) (a whole pickled model object cannot be read without Python).',
    });
  }
  const tensors = new Map<string, TensorRef>();
  for (const [key, value] of found) if (value instanceof TensorRef) tensors.set(String(key), value);
  return tensors;
}

/** The tensors of a state dict, each read from its storage's bytes. */
export function materialise(refs: ReadonlyMap<string, TensorRef>, storageBytes: (storage: StorageRef, key: string) => Uint8Array, source: string): Map<string, StateDictTensor> {
  const tensors = new Map<string, StateDictTensor>();
  for (const [key, ref] of refs) {
    const { dtype } = ref.storage;
    if (!isFloat(dtype)) {
      tensors.set(key, { shape: ref.shape, dtype, values: undefined });
      continue;
    }
    const bytes = storageBytes(ref.storage, key);
    const elements = Math.floor(bytes.length / DTYPE_BYTES[dtype]);
    if (viewEnd(ref.offset, ref.shape, ref.stride) > elements) {
      throw new StrataError('bad-input', `Tensor ${quote(key)} in ${source} reads past the end of its storage ${quote(ref.storage.key)} (${elements} elements of ${dtype}).`, {
        value: key,
        fix: 'the file is truncated or corrupt: save it again.',
      });
    }
    tensors.set(key, { shape: ref.shape, dtype, values: floatValues(bytes, dtype, ref.offset, ref.shape, ref.stride) });
  }
  return tensors;
}

function tensorRef(storage: unknown, offset: unknown, shape: unknown, stride: unknown, source: string): TensorRef {
  const ints = (v: unknown) => Array.isArray(v) && v.every((n) => Number.isInteger(n) && n >= 0);
  if (!isStorageRef(storage) || !Number.isInteger(offset) || !ints(shape) || !ints(stride) || (shape as number[]).length !== (stride as number[]).length) {
    throw new StrataError('bad-input', `${source} rebuilds a tensor from arguments Strata does not recognise (${quote([describe(storage), offset, shape, stride])}).`, {
      value: source,
      fix: 'save the weights with torch.save(model.state_dict(), path), or as safetensors.',
    });
  }
  return new TensorRef(storage, offset as number, shape as number[], stride as number[]);
}

function storageRef(pid: unknown, source: string): StorageRef {
  // ('storage', storage type, key, location, numel[, view metadata]) as torch.save writes it.
  if (Array.isArray(pid) && pid[0] === 'storage' && pid[1] instanceof StorageType && pid[5] == null) {
    return { key: String(pid[2]), dtype: pid[1].dtype, numel: Number(pid[4]) };
  }
  throw new StrataError('bad-input', `${source} refers to a storage in a form Strata does not read (${quote(Array.isArray(pid) ? pid.map(describe) : describe(pid))}).`, {
    value: source,
    fix: 'save the weights with a current torch.save(model.state_dict(), path), or as safetensors.',
  });
}

function isStorageRef(value: unknown): value is StorageRef {
  return typeof value === 'object' && value !== null && 'key' in value && 'dtype' in value && 'numel' in value;
}

function describe(value: unknown): string {
  if (value instanceof StorageType) return `storage of ${value.dtype}`;
  if (typeof value === 'object' && value !== null) {
    const proto = Object.getPrototypeOf(value) as { __module__?: string; __name__?: string } | null;
    if (proto?.__module__ !== undefined) return `an object of class ${proto.__module__}.${proto.__name__}`;
    return Array.isArray(value) ? `a list of ${value.length}` : 'an object';
  }
  return String(value);
}
