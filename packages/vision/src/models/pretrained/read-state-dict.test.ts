import { zipSync } from 'fflate';
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { readStateDict } from './read-state-dict.js';

/** A safetensors file: u64 header length, JSON header, then the tensors' bytes. */
function safetensors(tensors: Record<string, { dtype: string; shape: number[]; bytes: Uint8Array }>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [key, t] of Object.entries(tensors)) {
    header[key] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors)) {
    out.set(t.bytes, at);
    at += t.bytes.length;
  }
  return out;
}

const bytes = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

describe('readStateDict: safetensors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-safetensors-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads float32, float16 and bfloat16 tensors as float32 and keeps integer tensors without values', async () => {
    const file = safetensors(
      {
        'a.weight': { dtype: 'F32', shape: [2, 2], bytes: bytes(Float32Array.of(1, 2, 3, 4.5)) },
        'b.weight': { dtype: 'F16', shape: [2], bytes: bytes(Uint16Array.of(0x3c00, 0xc000)) },
        'c.bias': { dtype: 'BF16', shape: [1], bytes: bytes(Uint16Array.of(0x3fc0)) },
        'bn.num_batches_tracked': { dtype: 'I64', shape: [], bytes: bytes(BigInt64Array.of(7n)) },
      },
      { format: 'pt' },
    );
    const path = join(dir, 'w.safetensors');
    writeFileSync(path, file);
    for (const input of [path, file]) {
      const { format, tensors } = await readStateDict(input);
      assert.equal(format, 'safetensors');
      assert.deepEqual([...tensors.keys()], ['a.weight', 'b.weight', 'c.bias', 'bn.num_batches_tracked']);
      assert.deepEqual(tensors.get('a.weight'), { shape: [2, 2], dtype: 'float32', values: Float32Array.of(1, 2, 3, 4.5) });
      assert.deepEqual(tensors.get('b.weight')!.values, Float32Array.of(1, -2));
      assert.deepEqual(tensors.get('c.bias')!.values, Float32Array.of(1.5));
      assert.deepEqual(tensors.get('bn.num_batches_tracked'), { shape: [], dtype: 'int64', values: undefined });
    }
  });

  it('refuses a dtype it does not read and byte ranges that do not fit, naming the tensor', async () => {
    const complex = safetensors({ z: { dtype: 'C64', shape: [1], bytes: new Uint8Array(8) } });
    await assert.rejects(readStateDict(complex), (e: unknown) => e instanceof StrataError && /Tensor "z" .* dtype "C64"/.test(e.message));
    const short = safetensors({ w: { dtype: 'F32', shape: [3], bytes: new Uint8Array(8) } });
    await assert.rejects(readStateDict(short), (e: unknown) => e instanceof StrataError && /Tensor "w" .* claims bytes \[0, 8\) for shape \[3\] of float32/.test(e.message));
  });
});

describe('readStateDict: what it does not read', () => {
  it('names a file that is neither format by its first bytes, and a path it cannot read', async () => {
    await assert.rejects(readStateDict(new TextEncoder().encode('just text here')), (e: unknown) => e instanceof StrataError && e.kind === 'bad-input' && /neither a PyTorch state dict .* nor a safetensors file \(it starts with bytes 6a 75 73 74/.test(e.message));
    await assert.rejects(readStateDict('/nowhere/weights.pth'), (e: unknown) => e instanceof StrataError && /Cannot read the weights file "\/nowhere\/weights\.pth"/.test(e.message));
  });

  it('names a zip archive that torch.save did not write', async () => {
    // A zip with one entry "hello.txt" and no data.pkl.
    const zip = zipSync({ 'hello.txt': new TextEncoder().encode('hi') });
    await assert.rejects(readStateDict(zip), (e: unknown) => e instanceof StrataError && /not one torch\.save wrote: it has no <name>\/data\.pkl \(entries: \["hello\.txt"\]\)/.test(e.message));
  });
});
