import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';

// Runs the compiled example end to end (build it first), small: 80 synthetic images at 32x32.
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'strata-melanoma-run-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('examples/melanoma main', () => {
  it('trains on the embedded data and writes the whole run folder', { timeout: 240_000 }, async () => {
    const out = join(work, 'run');
    const args = [main, '--strategy', 'cpu', '--synthetic-count', '80', '--image-size', '32', '--batch-size', '16', '--max-epochs', '2', '--num-workers', '1', '--out', out];
    const result = spawnSync(process.execPath, args, { cwd: work, encoding: 'utf8', timeout: 230_000 });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^Epoch 0 \| AUC: /m);
    assert.match(result.stdout, /^Epoch 1 \| AUC: /m);
    for (const file of ['metrics.csv', 'curves.png', 'train_grid.png', 'summary.json', 'hparams.yaml']) assert.ok(existsSync(join(out, file)), file);
    assert.ok(readdirSync(join(out, 'tensorboard')).some((f) => f.startsWith('events.out.tfevents.')));
    assert.ok(readdirSync(join(out, 'checkpoints')).some((f) => f.endsWith('.ckpt')));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.strategy, 'cpu');
    assert.equal(summary.epochs, 2);
    assert.ok(summary.meanStepMs > 0 && summary.imagesPerSecond > 0);
    assert.ok('bestValAuc' in summary && 'engine' in summary);
    const header = readFileSync(join(out, 'metrics.csv'), 'utf8').split('\n')[0];
    for (const column of ['train_loss', 'val_loss', 'val_auc']) assert.ok(header.includes(column), header);
    const grid = await sharp(join(out, 'train_grid.png')).metadata();
    assert.equal(grid.width, 8 * 34 + 2); // 8 images of 32 with 2 pixels of padding
    const curves = await sharp(join(out, 'curves.png')).metadata();
    assert.equal(curves.format, 'png');
  });

  it('names an unknown --model and the allowed ones', () => {
    const result = spawnSync(process.execPath, [main, '--model', 'resnet', '--out', join(work, 'bad')], { cwd: work, encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--model: received "resnet".*small-cnn, wide-cnn, tiny-cnn, efficientnet-b0/);
  });
});
