import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Linear, jsCpu, loader } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';
import { CsvLogger } from './csv-logger.js';
import { maskedCrc32c, tfRecord } from './event-file-writer.js';
import { JsonLinesLogger } from './json-lines-logger.js';
import { TensorBoardLogger } from './tensor-board-logger.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'strata-log-'));
  dirs.push(d);
  return d;
}
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const python = join(root, '.venv', 'bin', 'python');
function tensorboardMissing(): string | undefined {
  if (!existsSync(python)) return `no Python environment at ${python} (scripts/setup.sh makes it)`;
  try {
    execFileSync(python, ['-c', 'import tensorboard'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'the tensorboard package is not installed in .venv (pip install tensorboard==2.21.0)';
  }
}

class Logged extends Linear {
  constructor() {
    super();
    this.saveHyperparameters({ lr: 0.1, optimizer: 'sgd', layers: 1, shuffle: false });
  }
  override trainingStep(batch: Parameters<Linear['trainingStep']>[0], i: number) {
    const loss = super.trainingStep(batch, i);
    this.log('mse', loss);
    return loss;
  }
}

/** Trains 3 epochs of 4 batches, logging step values every 2 steps. */
async function train(logger: CsvLogger | TensorBoardLogger | JsonLinesLogger | (CsvLogger | TensorBoardLogger | JsonLinesLogger)[]): Promise<Trainer> {
  const strategy = await jsCpu();
  const module = new Logged();
  const trainer = new Trainer({ strategy, maxEpochs: 3, logger, logEveryNSteps: 2, enableProgressBar: false });
  await trainer.fit(module, loader(8), loader(16));
  module.dispose();
  trainer.optimizer?.dispose();
  return trainer;
}

describe('loggers', () => {
  it('masked CRC32C and TFRecord framing match the TFRecord spec', () => {
    // crc32c("123456789") = 0xe3069283 (the check value); masked per TFRecord.
    const crc = 0xe3069283;
    assert.equal(maskedCrc32c(new TextEncoder().encode('123456789')), ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0);
    const record = tfRecord(Uint8Array.of(1, 2, 3));
    assert.equal(record.length, 8 + 4 + 3 + 4);
    assert.equal(new DataView(record.buffer).getBigUint64(0, true), 3n);
  });

  it('TensorBoard reads our event files and returns the logged scalars and hyperparameters', { skip: tensorboardMissing() }, async () => {
    const dir = tempDir();
    const logger = new TensorBoardLogger({ saveDir: dir, name: 'tb' });
    const trainer = await train(logger);
    const files = readdirSync(logger.logDir).filter((f) => f.startsWith('events.out.tfevents.'));
    assert.equal(files.length, 1);
    const out = JSON.parse(execFileSync(python, [fileURLToPath(new URL('./read_events.py', import.meta.url)), logger.logDir, 'strata'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as {
      scalars: Record<string, [number, number][]>;
      hparams: Record<string, unknown>;
      crc: number;
    };
    assert.equal(out.crc, maskedCrc32c(new TextEncoder().encode('strata')));
    // One point per epoch, at the step the epoch ended, with the value the Trainer computed.
    assert.deepEqual(out.scalars.train_loss.map(([s]) => s), [4, 8, 12]);
    out.scalars.train_loss.forEach(([, v], i) => assert.ok(Math.abs(v - trainer.history[i].train_loss) < 1e-6, `${v} vs ${trainer.history[i].train_loss}`));
    out.scalars.val_loss.forEach(([, v], i) => assert.ok(Math.abs(v - trainer.history[i].val_loss) < 1e-6));
    assert.deepEqual([...new Set(out.scalars.epoch.map(([, v]) => v))], [0, 1, 2]);
    // Step-level values every 2 steps, read at epoch ends.
    assert.deepEqual(out.scalars.train_loss_step.map(([s]) => s), [2, 4, 6, 8, 10, 12]);
    assert.deepEqual(out.scalars.mse_step.map(([s]) => s), [2, 4, 6, 8, 10, 12]);
    assert.deepEqual(out.hparams['_hparams_/experiment'], ['layers', 'lr', 'optimizer', 'shuffle']);
    const start = out.hparams['_hparams_/session_start_info'] as Record<string, string>;
    assert.equal(start.lr, 'number_value: 0.1');
    assert.equal(start.optimizer, 'string_value: "sgd"');
    assert.equal(start.shuffle, 'bool_value: false');
    assert.equal(out.hparams['_hparams_/session_end_info'], 1);
  });

  it('CSV: metrics.csv with a step column and one column per metric; hparams.yaml', async () => {
    const dir = tempDir();
    const logger = new CsvLogger({ saveDir: dir });
    const trainer = await train(logger);
    assert.equal(logger.logDir, join(dir, 'strata_logs', 'version_0'));
    const [header, ...rows] = readFileSync(join(logger.logDir, 'metrics.csv'), 'utf8').trim().split('\n');
    const columns = header.split(',');
    assert.deepEqual(columns.slice(0, 1), ['step']);
    for (const c of ['train_loss', 'val_loss', 'mse', 'epoch', 'train_loss_step', 'mse_step']) assert.ok(columns.includes(c), `${c} in ${header}`);
    const epochRows = rows.map((r) => r.split(',')).filter((r) => r[columns.indexOf('val_loss')] !== '');
    assert.equal(epochRows.length, 3);
    assert.ok(Math.abs(Number(epochRows[2][columns.indexOf('train_loss')]) - trainer.history[2].train_loss) < 1e-9);
    assert.match(readFileSync(join(logger.logDir, 'hparams.yaml'), 'utf8'), /lr: 0.1\noptimizer: "sgd"/);
    // A second run gets the next version.
    assert.equal(new CsvLogger({ saveDir: dir }).logDir, join(dir, 'strata_logs', 'version_1'));
  });

  it('several loggers at once, and JSON lines', async () => {
    const dir = tempDir();
    const jsonl = new JsonLinesLogger({ saveDir: dir, version: 'run' });
    const csv = new CsvLogger({ saveDir: dir, version: 'run' });
    await train([jsonl, csv]);
    const lines = readFileSync(join(dir, 'strata_logs', 'run', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines[0], { hparams: { lr: 0.1, optimizer: 'sgd', layers: 1, shuffle: false } });
    assert.equal(lines.filter((l) => 'val_loss' in l).length, 3);
    assert.ok(existsSync(join(dir, 'strata_logs', 'run', 'metrics.csv')));
  });

  it('defaultRootDir turns on a CSV logger and a last-epoch checkpoint, as Lightning; fastDevRun turns them off', async () => {
    const dir = tempDir();
    const strategy = await jsCpu();
    const module = new Linear();
    const trainer = new Trainer({ strategy, maxEpochs: 2, defaultRootDir: dir, enableProgressBar: false });
    await trainer.fit(module, loader(8));
    assert.ok(existsSync(join(dir, 'strata_logs', 'version_0', 'metrics.csv')));
    assert.deepEqual(readdirSync(join(dir, 'strata_logs', 'version_0', 'checkpoints')), ['epoch=1-step=8.ckpt']);
    trainer.optimizer?.dispose();
    const quiet = tempDir();
    const dev = new Trainer({ strategy, fastDevRun: true, defaultRootDir: quiet, enableProgressBar: false });
    await dev.fit(module, loader(8));
    assert.deepEqual(readdirSync(quiet), []);
    dev.optimizer?.dispose();
    module.dispose();
  });
});
