import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { Scripted, jsCpu, linearData, loader } from '../testing/js-cpu.js';
import { Trainer } from '../trainer.js';
import type { TrainerOptions } from '../trainer-options.js';
import { ProgressBar, type ProgressBarOptions } from './progress-bar.js';
import { formatBar, formatDuration, formatRate } from './progress-bar-format.js';

/** Fits the scripted linear model (4 batches of 8, unshuffled) with `bar`; returns what it wrote. */
async function fitWithBar(options: ProgressBarOptions, trainerOptions: Partial<TrainerOptions> = {}): Promise<{ out: string[]; trainer: Trainer }> {
  const out: string[] = [];
  const bar = new ProgressBar({ ...options, stream: { write: (t: string) => void out.push(t), isTTY: options.stream?.isTTY ?? false, columns: options.stream?.columns } });
  const strategy = await jsCpu();
  const module = new Scripted([0.5]);
  const trainer = new Trainer({ strategy, enableProgressBar: false, numSanityValSteps: 0, maxEpochs: 1, limitValBatches: 1, callbacks: [bar], ...trainerOptions });
  await trainer.fit(module, loader(8), loader(8));
  module.dispose();
  trainer.optimizer?.dispose();
  return { out, trainer };
}

/** The mean squared error of y = x·[0.5, -0.25] (the linear model's first weights) on the first `n` samples. */
function initialLoss(n: number): number {
  const errors = linearData.slice(0, n).map((s) => {
    const [a, b] = (s.x as { data: Float32Array }).data;
    return (0.5 * a - 0.25 * b - (s.y as number)) ** 2;
  });
  return errors.reduce((x, y) => x + y, 0) / n;
}

describe('ProgressBar', () => {
  it('prints plain lines off a TTY with batches, it/s, ETA and the running loss, then a line per epoch', async () => {
    let clock = 0;
    // Each call of the clock advances 600 ms, so every batch end is due for a plain line.
    const { out, trainer } = await fitWithBar({ printEverySeconds: 0.5, now: () => (clock += 600) });
    const progress = out.filter((l) => l.includes('it/s'));
    assert.equal(progress.length, 4, out.join(''));
    assert.match(progress[0], /^Epoch 0: 1\/4 \[.*\] \| [\d.]+ it\/s \| ETA \d+:\d\d \| loss: [\d.]+\n$/);
    // After the first batch the running loss is that batch's loss; after the last, the epoch's mean.
    const loss = (line: string) => Number(/loss: ([\d.]+)/.exec(line)![1]);
    assert.ok(Math.abs(loss(progress[0]) - initialLoss(8)) < 1e-4, `${progress[0]} vs ${initialLoss(8)}`);
    assert.equal(loss(progress[3]).toFixed(4), trainer.history[0].train_loss.toFixed(4));
    assert.notEqual(loss(progress[0]), loss(progress[3]));
    assert.match(progress[3], /^Epoch 0: 4\/4 \[={19}>\] .*ETA 0:00/);
    assert.match(out[out.length - 1], /^Epoch 0 \| .*train_loss: [\d.]+ .*val_loss: 0\.5000 \| [\d.]+s\n$/);
  });

  it('shows the previous validation metrics beside the running loss', async () => {
    let clock = 0;
    const { out } = await fitWithBar({ printEverySeconds: 0.5, now: () => (clock += 600) }, { maxEpochs: 2 });
    const second = out.filter((l) => l.startsWith('Epoch 1: '));
    assert.ok(second.length > 0, out.join(''));
    assert.match(second[0], /\| loss: [\d.]+ \| val_loss: 0\.5000\n$/);
  });

  it('writes s/it when a batch takes longer than a second', async () => {
    let clock = 0;
    const { out } = await fitWithBar({ printEverySeconds: 1, now: () => (clock += 2000) });
    assert.match(out.find((l) => l.startsWith('Epoch 0: 1/4'))!, /\| 2\.00 s\/it \|/);
  });

  it('draws at most one plain line per printEverySeconds', async () => {
    let clock = 0;
    const { out } = await fitWithBar({ printEverySeconds: 1, now: () => (clock += 600) });
    // The epoch starts at 0.6 s; batch ends at 1.2 s and 2.4 s come too soon after the last line.
    assert.deepEqual(
      out.filter((l) => l.includes('it/s')).map((l) => /^Epoch 0: (\d)\/4/.exec(l)![1]),
      ['2', '4'],
    );
  });

  it('redraws one live line on a TTY and clears it at the epoch end', async () => {
    let clock = 0;
    const { out } = await fitWithBar({ stream: { write: () => undefined, isTTY: true, columns: 80 }, now: () => (clock += 200) });
    const text = out.join('');
    assert.ok((text.match(/\r/g) ?? []).length >= 3, JSON.stringify(text));
    assert.ok(!text.split('\r').slice(0, -1).some((l) => l.includes('\n')), 'live redraws never add a line');
    assert.ok(text.split('\r').some((l) => /loss: [\d.]+/.test(l)), 'the live line shows the running loss');
    assert.ok(text.split('\r').filter((l) => l.includes('it/s')).every((l) => l.length === 79), 'padded to the width');
  });

  it('draws 100 columns on a terminal that reports 0', async () => {
    let clock = 0;
    const { out } = await fitWithBar({ stream: { write: () => undefined, isTTY: true, columns: 0 }, now: () => (clock += 200) });
    const drawn = out.join('').split('\r').filter((l) => l.includes('it/s'));
    assert.ok(drawn.length > 0 && drawn.every((l) => l.length === 99 && /loss: \d\.\d{4} *$/.test(l)), JSON.stringify(drawn));
  });

  it('leaves the epoch line out with epochLine: false', async () => {
    let clock = 0;
    const { out } = await fitWithBar({ epochLine: false, printEverySeconds: 0.5, now: () => (clock += 600) });
    assert.ok(out.length > 0);
    assert.ok(!out.some((l) => l.startsWith('Epoch 0 |')), out.join(''));
  });
});

describe('progress bar formats', () => {
  it('rates, durations and bars', () => {
    assert.equal(formatRate(12.345), '12.35 it/s');
    assert.equal(formatRate(0.25), '4.00 s/it');
    assert.equal(formatRate(0), '? it/s');
    assert.equal(formatDuration(75), '1:15');
    assert.equal(formatDuration(3725), '1:02:05');
    assert.equal(formatBar(0, 4, 8), '[        ]');
    assert.equal(formatBar(2, 4, 8), '[===>    ]');
    assert.equal(formatBar(4, 4, 8), '[=======>]');
  });
});
