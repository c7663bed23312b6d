import { strict as assert } from 'node:assert';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ModelCheckpoint, listCheckpoints, type ModelCheckpointOptions } from '../callbacks/model-checkpoint.js';
import { recordWarnings } from '../testing/diverging.js';
import { Linear, jsCpu, loader } from '../testing/js-cpu.js';
import { killMidWrite } from '../testing/kill-mid-write.js';
import { Trainer } from '../trainer.js';
import { readTrainerCheckpoint } from './checkpoint-connector.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'strata-own-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const TOP2: ModelCheckpointOptions = { monitor: 'val_loss', saveTopK: 2, saveLast: true, filename: '{epoch}' };

async function train(dir: string, maxEpochs: number, ckptPath?: string): Promise<{ trainer: Trainer; callback: ModelCheckpoint; warnings: string[] }> {
  const strategy = await jsCpu();
  const module = new Linear();
  const callback = new ModelCheckpoint({ dirpath: dir, ...TOP2 });
  const trainer = new Trainer({ strategy, maxEpochs, enableProgressBar: false, callbacks: [callback] });
  const warnings = await recordWarnings(() => trainer.fit(module, loader(8), loader(8), ckptPath === undefined ? {} : { ckptPath }));
  module.dispose();
  trainer.optimizer?.dispose();
  return { trainer, callback, warnings };
}

/** Name, size and modification time of every entry in `dir`. */
function snapshot(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((f) => `${f} ${statSync(join(dir, f)).size} ${statSync(join(dir, f)).mtimeMs}`);
}

describe('ModelCheckpoint removes only its own files', () => {
  it('resuming a checkpoint copied into another directory deletes nothing outside that directory', async () => {
    const original = tempDir();
    await train(original, 3);
    assert.deepEqual(await listCheckpoints(original), ['epoch=1.ckpt', 'epoch=2.ckpt', 'last.ckpt']);
    const before = snapshot(original);
    const bytes = readFileSync(join(original, 'epoch=1.ckpt'));

    const copy = tempDir();
    copyFileSync(join(original, 'last.ckpt'), join(copy, 'last.ckpt'));
    const { callback, warnings } = await train(copy, 6, join(copy, 'last.ckpt'));
    assert.deepEqual(snapshot(original), before, 'the original run is untouched');
    assert.deepEqual(readFileSync(join(original, 'epoch=1.ckpt')), bytes);
    assert.match(warnings.join('\n'), /restored state lists 2 checkpoint\(s\) outside dirpath .*left in place and no longer ranked here/);
    // The copy's own top 2 and last: the bookkeeping names only files here, and they exist.
    assert.deepEqual(await listCheckpoints(copy), ['epoch=4.ckpt', 'epoch=5.ckpt', 'last.ckpt']);
    assert.deepEqual(Object.keys(callback.bestKModels).sort(), [join(copy, 'epoch=4.ckpt'), join(copy, 'epoch=5.ckpt')]);
    assert.equal(callback.bestModelPath, join(copy, 'epoch=5.ckpt'));
  });

  it('a whole run directory copied and resumed keeps exactly its top k there, and the original stays', async () => {
    const original = tempDir();
    await train(original, 3);
    const before = snapshot(original);
    const copy = join(tempDir(), 'copied');
    cpSync(original, copy, { recursive: true });
    const { callback, warnings } = await train(copy, 5, join(copy, 'last.ckpt'));
    assert.deepEqual(snapshot(original), before);
    assert.ok(!warnings.some((w) => /outside dirpath/.test(w)), 'the copies are adopted, not foreign');
    // The copied epoch=1 and epoch=2 files were ranked as this run's own and pushed out by better ones.
    assert.deepEqual(await listCheckpoints(copy), ['epoch=3.ckpt', 'epoch=4.ckpt', 'last.ckpt']);
    assert.ok(Object.keys(callback.bestKModels).every((p) => p.startsWith(copy)));
  });

  it("'best' never names a file that does not exist", async () => {
    const dir = tempDir();
    await train(dir, 2);
    rmSync(join(dir, 'epoch=1.ckpt'));
    const strategy = await jsCpu();
    const module = new Linear();
    const trainer = new Trainer({ strategy, enableProgressBar: false, callbacks: [new ModelCheckpoint({ dirpath: dir, ...TOP2 })] });
    await assert.rejects(trainer.resolveCheckpointPath('best'), /ckptPath: 'best' names .*epoch=1\.ckpt, which no longer exists/);
    module.dispose();
  });

  it('a kill between publishing a new checkpoint and removing the old one leaves last.ckpt naming files that exist', async () => {
    const dir = tempDir();
    assert.equal(await killMidWrite('kill-model-checkpoint-child.ts', [dir]), 'SIGKILL');
    // Killed while writing last.ckpt at the end of epoch 1: the new top-1 file is published, the old not yet removed.
    assert.deepEqual(await listCheckpoints(dir), ['epoch=0-step=4.ckpt', 'epoch=1-step=8.ckpt', 'last.ckpt']);
    assert.equal(readdirSync(dir).filter((f) => f.includes('.tmp-')).length, 1);
    const last = await readTrainerCheckpoint(join(dir, 'last.ckpt'));
    const state = Object.values(last.meta.callbacks)[0] as { bestModelPath: string; bestKModels: Record<string, number> };
    assert.equal(state.bestModelPath, join(dir, 'epoch=0-step=4.ckpt'));
    assert.ok(Object.keys(state.bestKModels).every((p) => readdirSync(dir).includes(p.slice(dir.length + 1))));
    // A restart clears the temporary file, resumes, and 'best' resolves to a file that exists.
    const strategy = await jsCpu();
    const module = new Linear();
    const callback = new ModelCheckpoint({ dirpath: dir, saveLast: true });
    const trainer = new Trainer({ strategy, maxEpochs: 3, enableProgressBar: false, callbacks: [callback] });
    await trainer.fit(module, loader(8), { ckptPath: 'last' });
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp-')), []);
    assert.equal(await trainer.resolveCheckpointPath('best'), join(dir, 'epoch=2-step=12.ckpt'));
    // The resumed run trains epoch 1 again under the same name, so its top-1 pruning covers the killed run's file too.
    assert.deepEqual(await listCheckpoints(dir), ['epoch=2-step=12.ckpt', 'last.ckpt']);
    module.dispose();
    trainer.optimizer?.dispose();
  });

  it('at the start of a fit, removes temporary files whose writer is gone and leaves a live writer’s', async () => {
    const dir = tempDir();
    mkdirSync(dir, { recursive: true });
    const dead = `.last.ckpt.tmp-${await exitedPid()}-0123abcd`;
    const live = `.last.ckpt.tmp-${process.pid}-89abcdef`;
    for (const f of [dead, live]) copyFileSync(new URL(import.meta.url), join(dir, f));
    await train(dir, 1);
    const left = readdirSync(dir);
    assert.ok(!left.includes(dead), `${dead} should be removed`);
    assert.ok(left.includes(live), 'a write of a running process is left alone');
  });
});

/** The process id of a process that has exited. */
async function exitedPid(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const proc = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => proc.once('exit', r));
  return proc.pid!;
}
