// The browser example's page: loads the sample served with it, and on "Train" runs the melanoma
// module through Strata's Trainer on WebGPU or WASM, printing the epoch lines, drawing the loss
// and AUC, and saving checkpoints in the browser's storage. A page left during training resumes
// from its last checkpoint when it is loaded again.
import { InPageLogger } from '@strata/training';
import { EpochLines } from '../run/epoch-lines.js';
import { prepareBrowserRun, type BrowserRun, type DecodedSample } from '../run/browser-run.js';
import { stepLossOf } from '../run/step-losses.js';
import { StopRequest } from '../run/stop-request.js';
import { LiveChart } from './live-chart.js';
import { loadSample } from './load-sample.js';
import { createPageStrategy, parseStrategyRequest, parseTrainBatches, type StrategyRequest } from './page-strategy.js';
import { pageElements, type PageState } from './page-elements.js';
import { ProgressStatus } from './progress-status.js';
import { YieldToPage } from './yield-to-page.js';
import { CHECKPOINT_DIR, forgetCheckpoints, forgetSavedRun, loadSavedRun, storeSavedRun, type SavedRun } from './saved-run.js';

/** Optimizer steps between checkpoints (each epoch's end saves one too). */
const CHECKPOINT_EVERY_N_STEPS = 2;

/** `?trainBatches=N`: train on the first N batches of each epoch (a shorter run); all when absent. */
const trainBatches = parseTrainBatches(new URL(location.href).searchParams.get('trainBatches'));

const ui = pageElements();
const chart = new LiveChart(ui.chart);
let stopRequest: StopRequest | undefined;

function setState(state: PageState, text: string): void {
  document.body.dataset.state = state;
  ui.state.textContent = text;
}

function print(run: SavedRun | undefined, line: string): void {
  console.log(line);
  ui.log.textContent += `${line}\n`;
  if (run) {
    run.lines.push(line);
    storeSavedRun(run);
  }
}

async function train(sample: DecodedSample, run: SavedRun, resume: boolean): Promise<void> {
  // The chart draws the run's own series, so that storing the run stores the curve so far.
  chart.restore(run.series);
  run.series = chart.series;
  ui.train.disabled = true;
  ui.reset.disabled = true;
  ui.stop.disabled = false;
  setState('training', resume ? 'resuming from the last checkpoint…' : 'starting…');
  const { strategy, note } = await createPageStrategy(run.strategy, new URL('wasm/', location.href).href);
  if (note) print(run, note);
  const stop = (stopRequest = new StopRequest());
  // Every logged row also goes to the console; the step losses go to the chart.
  const logger = new InPageLogger({
    console: true,
    onMetrics: (row) => {
      const point = stepLossOf(row);
      if (!point) return;
      chart.addLoss(point.step, point.loss);
      storeSavedRun(run);
    },
  });
  const progress = new ProgressStatus(
    resume,
    ({ epoch, batch, step }) => {
      document.body.dataset.step = String(step);
      setState('training', `epoch ${epoch}, batch ${batch}, step ${step}`);
    },
    ({ epoch, step }) => print(run, `Resumed from the checkpoint at epoch ${epoch}, step ${step}`),
  );
  const lines = new EpochLines((line, epoch, metrics) => {
    print(run, line);
    if (metrics) chart.addAuc(prepared.trainer.globalStep, epoch, metrics.valAuc);
    storeSavedRun(run);
  });
  let prepared: BrowserRun;
  try {
    prepared = await prepareBrowserRun({
      strategy,
      sample,
      maxEpochs: run.epochs,
      ...(trainBatches !== undefined ? { limitTrainBatches: trainBatches } : {}),
      loggers: [logger],
      callbacks: [lines, progress, stop, new YieldToPage()],
      checkpoint: { dir: CHECKPOINT_DIR, everyNSteps: CHECKPOINT_EVERY_N_STEPS },
    });
    const device = strategy.describe();
    ui.strategyInUse.textContent = `${device.strategy} on ${device.engine}`;
    ui.strategyInUse.dataset.strategy = device.strategy;
    await prepared.fit(resume);
    run.status = stop.isRequested ? 'stopped' : 'finished';
    storeSavedRun(run);
    setState(run.status, stop.isRequested ? 'stopped: "Train" continues from the last checkpoint' : `finished ${run.epochs} epochs`);
  } finally {
    stopRequest = undefined;
    await strategy.teardown();
    ui.train.disabled = false;
    ui.reset.disabled = false;
    ui.stop.disabled = true;
  }
}

/** Starts a run with the controls' settings, or continues the saved one when it was stopped with the same settings. */
function startFromControls(sample: DecodedSample): void {
  const strategy = parseStrategyRequest(ui.strategy.value);
  const epochs = Number(ui.epochs.value);
  if (!Number.isInteger(epochs) || epochs < 1) {
    setState('failed', `Epochs is ${JSON.stringify(ui.epochs.value)}: give a whole number of at least 1.`);
    return;
  }
  const saved = loadSavedRun();
  const resume = saved !== undefined && saved.status === 'stopped' && saved.strategy === strategy && saved.epochs === epochs;
  const run: SavedRun = resume ? { ...saved, status: 'training' } : { strategy, epochs, status: 'training', lines: [], series: { losses: [], aucs: [] } };
  if (!resume) ui.log.textContent = '';
  void train(sample, run, resume).catch((error: unknown) => fail(run, error));
}

function fail(run: SavedRun | undefined, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  console.error(error);
  if (run) {
    run.status = 'stopped';
    storeSavedRun(run);
  }
  print(undefined, `Error: ${message}`);
  setState('failed', message);
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const requested: StrategyRequest = parseStrategyRequest(params.get('strategy'));
  ui.strategy.value = requested;
  const saved = loadSavedRun();
  if (saved) {
    if (!params.has('strategy')) ui.strategy.value = saved.strategy;
    ui.epochs.value = String(saved.epochs);
    ui.log.textContent = saved.lines.map((line) => `${line}\n`).join('');
    chart.restore(saved.series);
  }
  setState('loading', 'loading the sample…');
  const sample = await loadSample(new URL('sample/', location.href));
  ui.train.addEventListener('click', () => startFromControls(sample));
  ui.stop.addEventListener('click', () => {
    stopRequest?.request();
    ui.stop.disabled = true;
    setState('training', 'stopping after this batch…');
  });
  ui.reset.addEventListener('click', () => {
    forgetSavedRun();
    ui.log.textContent = '';
    chart.restore({ losses: [], aucs: [] });
    forgetCheckpoints().then(
      () => setState('idle', 'ready: the run and its checkpoints are forgotten'),
      (error: unknown) => fail(undefined, error),
    );
  });
  if (saved?.status === 'training') {
    // The page was left during training: carry on from the last checkpoint.
    void train(sample, saved, true).catch((error: unknown) => fail(saved, error));
    return;
  }
  setState('idle', `ready: ${sample.train.images.length} training and ${sample.val.images.length} validation images of ${sample.imageSize}x${sample.imageSize}`);
}

main().catch((error: unknown) => fail(undefined, error));
