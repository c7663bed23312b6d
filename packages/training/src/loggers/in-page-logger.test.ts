import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import type { Hyperparameters } from '../logging-types.js';
import { Linear, jsCpu, loader } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';
import { CsvLogger } from './csv-logger.js';
import { defaultLogger as browserDefaultLogger } from './default-logger.browser.js';
import { InPageLogger, type LoggedRow } from './in-page-logger.js';
import { requireLogFiles as browserRequireLogFiles } from './log-files.browser.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

class Logged extends Linear {
  constructor() {
    super();
    this.saveHyperparameters({ lr: 0.1, layers: 1 });
  }
  override trainingStep(batch: Parameters<Linear['trainingStep']>[0], i: number) {
    const loss = super.trainingStep(batch, i);
    this.log('mse', loss);
    return loss;
  }
}

describe('InPageLogger', () => {
  it('hands every row and the hyperparameters to its callbacks, keeps them, and writes no file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'strata-in-page-'));
    dirs.push(root);
    const seen: LoggedRow[] = [];
    let hparams: Hyperparameters | undefined;
    const statuses: string[] = [];
    const printed: unknown[][] = [];
    const logger = new InPageLogger({
      onMetrics: (row) => seen.push(row),
      onHyperparams: (h) => (hparams = h),
      onFinalize: (status) => statuses.push(status),
      console: { log: (...data) => printed.push(data) },
    });
    const strategy = await jsCpu();
    const module = new Logged();
    const trainer = new Trainer({ strategy, maxEpochs: 2, logger: [logger], logEveryNSteps: 2, enableProgressBar: false, defaultRootDir: root, enableCheckpointing: false });
    await trainer.fit(module, loader(8));
    module.dispose();
    trainer.optimizer?.dispose();

    assert.deepEqual(hparams, { lr: 0.1, layers: 1 });
    assert.deepEqual(logger.hyperparams, hparams);
    assert.deepEqual(statuses, ['success']);
    // 4 batches an epoch, a step row every 2 steps, and an epoch row each epoch.
    const steps = seen.filter((r) => 'mse_step' in r.metrics).map((r) => r.step);
    assert.deepEqual(steps, [2, 4, 6, 8]);
    assert.equal(seen.filter((r) => 'mse' in r.metrics).length, 2);
    assert.ok(seen.every((r) => Object.values(r.metrics).every(Number.isFinite)), JSON.stringify(seen));
    assert.deepEqual(logger.rows, seen);
    assert.equal(printed.length, seen.length + 1, 'one console line per row and one for the hyperparameters');
    // Its folder is named, stable, and never created (a page has no file system).
    assert.equal(logger.logDir, join(root, 'strata_logs', 'version_0'));
    assert.equal(existsSync(join(root, 'strata_logs')), false);
  });

  it("is a browser build's default logger, and file loggers are refused there with a StrataError naming it", () => {
    assert.ok(browserDefaultLogger('runs') instanceof InPageLogger);
    assert.throws(
      () => browserRequireLogFiles('CsvLogger'),
      (e: unknown) => e instanceof StrataError && e.kind === 'unsupported-option' && /^CsvLogger writes log files/.test(e.message) && /InPageLogger/.test(e.fix ?? ''),
    );
    // On Node the same logger constructs and writes.
    assert.ok(new CsvLogger() instanceof CsvLogger);
  });
});
