import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ModelCheckpoint } from '../callbacks/model-checkpoint.js';
import type { Batch } from '../data/collate.js';
import { Linear, jsCpu, loader } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';
import { readTrainerCheckpoint } from './checkpoint-connector.js';
import { readCheckpointFile, writeCheckpointFile } from './checkpoint-format.js';
import { parseLossless, stringifyLossless } from './non-finite-json.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'strata-json-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A Linear that logs `odd`: NaN at batch 1 of each epoch, else 1 (a metric that may be non-finite while the model is fine). */
class LogsNaN extends Linear {
  override trainingStep(batch: Batch, i: number): ReturnType<Linear['trainingStep']> {
    this.log('odd', i === 1 ? Number.NaN : 1);
    return super.trainingStep(batch, i);
  }
}

/** The format number and header text of a checkpoint file. */
function header(path: string): { format: number; text: string } {
  const bytes = readFileSync(path);
  const text = bytes.subarray(12, 12 + bytes.readUInt32LE(8)).toString('utf8');
  return { format: (JSON.parse(text) as { format: number }).format, text };
}

describe('non-finite numbers in checkpoint metadata', () => {
  it('NaN, Infinity and -Infinity round-trip through the JSON, nested or not', () => {
    const value = { a: Number.NaN, b: [1, Number.POSITIVE_INFINITY, { c: Number.NEGATIVE_INFINITY }], d: 'NaN', e: null, f: -0.5 };
    const { text, tagged } = stringifyLossless(value);
    assert.ok(tagged);
    assert.deepEqual(parseLossless(text), value);
    assert.deepEqual(stringifyLossless({ x: 1 }), { text: '{"x":1}', tagged: false });
    // An object that only looks like a tag (unknown name, or more keys) stays an object.
    assert.deepEqual(parseLossless('{"a":{"$nonFinite":"huge"},"b":{"$nonFinite":"NaN","x":1}}'), { a: { $nonFinite: 'huge' }, b: { $nonFinite: 'NaN', x: 1 } });
  });

  it('a checkpoint with NaN and infinite metrics round-trips, as format 2; a finite one stays format 1', async () => {
    const dir = tempDir();
    const meta = { history: [{ train_loss: Number.NaN, val_loss: Number.POSITIVE_INFINITY }], best: Number.NEGATIVE_INFINITY };
    const tensors = [{ key: 'module/0', name: 'w', dtype: 'float32' as const, shape: [2], data: Float32Array.of(1, 2) }];
    await writeCheckpointFile(join(dir, 'nan.ckpt'), meta, tensors);
    assert.equal(header(join(dir, 'nan.ckpt')).format, 2);
    const back = await readCheckpointFile<typeof meta>(join(dir, 'nan.ckpt'));
    assert.ok(Number.isNaN(back.meta.history[0].train_loss));
    assert.equal(back.meta.history[0].val_loss, Number.POSITIVE_INFINITY);
    assert.equal(back.meta.best, Number.NEGATIVE_INFINITY);
    assert.deepEqual(Array.from(back.tensors[0].data), [1, 2]);
    await writeCheckpointFile(join(dir, 'finite.ckpt'), { best: 1 }, tensors);
    assert.equal(header(join(dir, 'finite.ckpt')).format, 1);
  });

  it('a Trainer checkpoint keeps a NaN running metric, and an old file with null there reads as NaN and resumes', async () => {
    const dir = tempDir();
    const strategy = await jsCpu();
    const module = new LogsNaN();
    const path = join(dir, 'mid.ckpt');
    const trainer = new Trainer({
      strategy,
      maxEpochs: 1,
      enableProgressBar: false,
      enableCheckpointing: false,
      callbacks: [
        {
          async onTrainBatchEnd(t, _m, batchIndex) {
            if (batchIndex === 1) await t.saveCheckpoint(path);
          },
        },
      ],
    });
    await trainer.fit(module, loader(8));
    const saved = await readTrainerCheckpoint(path);
    assert.ok(Number.isNaN(saved.meta.trainMetrics.odd.sum));
    assert.ok(Number.isFinite(saved.meta.trainMetrics.train_loss.sum));
    assert.match(header(path).text, /"sum":\{"\$nonFinite":"NaN"\}/);

    // The same state as a file from before the tags: JSON null where the NaN was.
    const old = join(dir, 'old.ckpt');
    const bytes = readFileSync(path);
    const headerLength = bytes.readUInt32LE(8);
    const text = bytes.subarray(12, 12 + headerLength).toString('utf8').replace('{"$nonFinite":"NaN"}', 'null').replace('"format":2', '"format":1');
    const padded = text.padEnd(headerLength, ' ');
    const rewritten = Buffer.concat([bytes.subarray(0, 12), Buffer.from(padded, 'utf8'), bytes.subarray(12 + headerLength)]);
    writeFileSync(old, rewritten);
    const oldFile = await readTrainerCheckpoint(old);
    assert.ok(Number.isNaN(oldFile.meta.trainMetrics.odd.sum));

    const resumed = new Trainer({ strategy, maxEpochs: 1, enableProgressBar: false, stopOnNonFiniteLoss: false, callbacks: [new ModelCheckpoint({ dirpath: dir })] });
    const fresh = new LogsNaN();
    await resumed.fit(fresh, loader(8), { ckptPath: old });
    assert.equal(resumed.history.length, 1);
    assert.ok(Number.isNaN(resumed.history[0].odd), 'the lost NaN stays NaN in the epoch mean');
    assert.ok(Number.isFinite(resumed.history[0].train_loss));
    module.dispose();
    fresh.dispose();
    trainer.optimizer?.dispose();
    resumed.optimizer?.dispose();
  });
});
