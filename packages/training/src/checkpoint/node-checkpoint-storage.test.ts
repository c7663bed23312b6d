import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { NodeCheckpointStorage, temporaryPathFor, temporaryWriterPid } from './node-checkpoint-storage.js';
import { baseNameOf, isDirectlyIn, joinPath, normalizePath, parentOf } from './storage-path.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'strata-storage-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('NodeCheckpointStorage', () => {
  it('writes atomically (creating the directory), reads, lists, checks and removes', async () => {
    const storage = new NodeCheckpointStorage();
    const dir = join(tempDir(), 'a', 'b');
    const path = joinPath(dir, 'x.ckpt');
    assert.deepEqual(await storage.list(dir), []);
    assert.equal(await storage.exists(path), false);
    const sizes: number[] = [];
    await storage.writeAtomic(path, [Uint8Array.of(1, 2), Uint8Array.of(3)], { afterChunk: (written) => void sizes.push(written) });
    assert.deepEqual(sizes, [2, 3]);
    assert.deepEqual(Array.from(await storage.read(path)), [1, 2, 3]);
    assert.deepEqual(await storage.list(dir), ['x.ckpt'], 'no temporary file is left');
    await storage.writeAtomic(path, [Uint8Array.of(9)]);
    assert.deepEqual(Array.from(await storage.read(path)), [9]);
    await storage.remove(path);
    await storage.remove(path);
    assert.equal(await storage.exists(path), false);
    await assert.rejects(storage.read(path), (e: Error) => e.message.includes(path));
  });

  it('a failed write removes its temporary file and leaves the old content', async () => {
    const storage = new NodeCheckpointStorage();
    const dir = tempDir();
    const path = joinPath(dir, 'x.ckpt');
    await storage.writeAtomic(path, [Uint8Array.of(1)]);
    const failing = storage.writeAtomic(path, [Uint8Array.of(2), Uint8Array.of(3)], {
      afterChunk: () => {
        throw new Error('disk full');
      },
    });
    await assert.rejects(failing, /disk full/);
    assert.deepEqual(readdirSync(dir), ['x.ckpt']);
    assert.deepEqual(Array.from(await storage.read(path)), [1]);
  });

  it('names temporary files after their writer, and only those count as temporary', () => {
    const name = baseNameOf(temporaryPathFor('/d/last.ckpt'));
    assert.match(name, new RegExp(`^\\.last\\.ckpt\\.tmp-${process.pid}-[0-9a-f]{8}$`));
    assert.equal(temporaryWriterPid(name), process.pid);
    assert.equal(temporaryWriterPid('last.ckpt'), undefined);
    assert.equal(temporaryWriterPid('.last.ckpt.tmp-12-zz'), undefined);
  });
});

describe("checkpoint paths ('/'-separated)", () => {
  it('join, split and compare directories', () => {
    assert.equal(joinPath('runs/ckpt', 'a.ckpt'), 'runs/ckpt/a.ckpt');
    assert.equal(joinPath('runs/ckpt/', 'a.ckpt'), 'runs/ckpt/a.ckpt');
    assert.equal(parentOf('runs/ckpt/a.ckpt'), 'runs/ckpt');
    assert.equal(parentOf('/a.ckpt'), '/');
    assert.equal(parentOf('a.ckpt'), '.');
    assert.equal(baseNameOf('C:\\runs\\a.ckpt'), 'a.ckpt');
    assert.equal(normalizePath('./runs//ckpt/'), 'runs/ckpt');
    assert.ok(isDirectlyIn('/tmp/x/./a.ckpt', '/tmp/x/'));
    assert.ok(isDirectlyIn('a.ckpt', '.'));
    assert.ok(!isDirectlyIn('/tmp/x/sub/a.ckpt', '/tmp/x'));
    assert.ok(!isDirectlyIn('/tmp/y/a.ckpt', '/tmp/x'));
    assert.ok(!isDirectlyIn('tmp/x/a.ckpt', '/tmp/x'));
  });
});
