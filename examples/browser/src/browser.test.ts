// The example in a real browser: headless Chromium opens the built page and trains through the
// page's own controls on WASM and on WebGPU (SwiftShader); the losses are checked against the
// same run in Node on the same strategy, and a reload during training must resume from the
// checkpoint in the browser's storage and continue the same loss curve. Without a Chromium the
// tests skip, saying how to get one, except in CI (CI set), where they fail.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WasmStrategy } from '@strata/backend-wasm';
import { WebGpuStrategy } from '@strata/backend-webgpu';
import type { Browser } from 'puppeteer-core';
import { buildSite } from './build/build-site.js';
import type { DecodedSample } from './run/browser-run.js';
import type { StepLoss } from './run/step-losses.js';
import { serveSite, type SiteServer } from './serve/static-server.js';
import { findChromium, launchChromium, noBrowserReason } from './testing/chromium.js';
import { decodeSampleInNode, nodeStepLosses } from './testing/node-reference.js';
import { epochLines, startTraining, waitForState } from './testing/page-driver.js';
import { siteWithSample } from './testing/site-with-sample.js';

const TOLERANCE = 1e-4;
const chromium = findChromium();
const noBrowser = noBrowserReason(chromium);
const inCi = Boolean(process.env.CI);
if (noBrowser && !inCi) console.log(`skipping the browser example tests: ${noBrowser}`);

/** Every step the page drew matches Node's loss at that step within TOLERANCE. */
function assertSameCurve(page: readonly StepLoss[], node: readonly StepLoss[], label: string): void {
  const byStep = new Map(node.map((p) => [p.step, p.loss]));
  for (const { step, loss } of page) {
    const expected = byStep.get(step);
    assert.ok(expected !== undefined, `${label}: the page drew step ${step}, which Node never ran`);
    assert.ok(Math.abs(loss - expected) <= TOLERANCE, `${label}: step ${step} loss ${loss} in the page, ${expected} in Node`);
  }
}

describe('the browser example in headless Chromium', { skip: noBrowser !== undefined && !inCi ? noBrowser : false, timeout: 600_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'strata-browser-example-'));
  let server: SiteServer | undefined;
  /** The same site with a sample of 16x16 images, for WebGPU on SwiftShader (see its test). */
  let smallServer: SiteServer | undefined;
  let browser: Browser | undefined;
  let sample: DecodedSample;
  let smallSample: DecodedSample;

  before(async () => {
    if (noBrowser) throw new Error(`CI is set and the browser tests cannot run: ${noBrowser}`);
    const site = await buildSite(join(root, 'site'));
    sample = await decodeSampleInNode(join(site.dir, 'sample'));
    server = await serveSite(site.dir);
    const smallSite = await siteWithSample(site.dir, join(root, 'small-site'), { imageSize: 16 });
    smallSample = await decodeSampleInNode(join(smallSite, 'sample'));
    smallServer = await serveSite(smallSite);
    browser = await launchChromium(chromium!);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await smallServer?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('WASM: trains 3 epochs from the page, matches Node, and a reload mid-training resumes the same curve', async () => {
    const epochs = 3;
    const page = await browser!.newPage();
    await page.goto(`${server!.url}?strategy=wasm`);
    await waitForState(page, ['idle'], 60_000);
    await startTraining(page, 'wasm', epochs);
    // Reload inside the second epoch, after its first mid-epoch checkpoint.
    await page.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 9, { timeout: 120_000, polling: 'mutation' });
    await page.reload();
    const view = await waitForState(page, ['finished'], 120_000);
    await page.close();

    assert.match(view.strategyInUse, /^wasm on tfjs-backend-wasm/);
    const resumed = view.lines.map((line) => /^Resumed from the checkpoint at epoch (\d+), step (\d+)$/.exec(line)).find((m) => m !== null);
    assert.ok(resumed, `no resume line after the reload:\n${view.lines.join('\n')}`);
    const resumedStep = Number(resumed[2]);
    assert.ok(resumedStep >= 6 && resumedStep <= 9, `resumed at step ${resumedStep}, not at the checkpoint before the reload`);
    const lines = epochLines(view.lines);
    assert.deepEqual(lines.map((l) => l.epoch), [0, 1, 2], view.lines.join('\n'));
    lines.forEach((l) => assert.ok(l.auc >= 0 && l.auc <= 1, `AUC ${l.auc}`));
    assert.ok(lines[epochs - 1].trainLoss < lines[0].trainLoss, `the training loss did not fall: ${view.lines.join('\n')}`);

    const node = await nodeStepLosses(new WasmStrategy(), sample, epochs);
    const drawn = view.series.losses;
    assert.deepEqual(drawn.slice(0, 5).map((p) => p.step), [1, 2, 3, 4, 5]);
    assertSameCurve(drawn, node, 'wasm');
    // After the resume the curve goes on to the last step, every step after the checkpoint drawn.
    const after = drawn.filter((p) => p.step > resumedStep).map((p) => p.step);
    assert.deepEqual(after, node.filter((p) => p.step > resumedStep).map((p) => p.step));
  });

  it('WebGPU (SwiftShader): trains 2 epochs from the page and matches Node on WebGPU', async () => {
    const epochs = 2;
    // SwiftShader runs every shader on the CPU, and a step's time grows with the pixels: the
    // site with 16x16 images, and 3 batches an epoch, keep it short. The claim (the page trains
    // on WebGPU as Node does) holds at any size.
    const trainBatches = 3;
    const steps = epochs * trainBatches;
    // Node's run goes on beside the page's: each spends most of its time running shaders on
    // the CPU, on a core of its own where there are two.
    const started = performance.now();
    const nodeRun = nodeStepLosses(new WebGpuStrategy(), smallSample, epochs, steps, trainBatches).then((losses) => ({ losses, seconds: (performance.now() - started) / 1000 }));
    nodeRun.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    const page = await browser!.newPage();
    // Another origin than the WASM tests' site: its own storage, so no run of theirs is resumed.
    await page.goto(`${smallServer!.url}?strategy=webgpu&trainBatches=${trainBatches}`);
    const idle = await waitForState(page, ['idle'], 60_000);
    assert.match(idle.stateText, /of 16x16$/);
    await startTraining(page, 'webgpu', epochs);
    const view = await waitForState(page, ['finished'], 400_000);
    const pageSeconds = (performance.now() - started) / 1000;
    await page.close();
    const { losses: node, seconds: nodeSeconds } = await nodeRun;
    console.log(`WebGPU: the page trained ${epochs} epochs in ${pageSeconds.toFixed(0)}s; Node's ${steps} steps took ${nodeSeconds.toFixed(0)}s`);

    assert.match(view.strategyInUse, /^webgpu on .*swiftshader/i);
    const lines = epochLines(view.lines);
    assert.deepEqual(lines.map((l) => l.epoch), [0, 1], view.lines.join('\n'));
    // Over 3 batches an epoch the training loss's epoch mean is noisy; the validation loss, over
    // the same 32 images each epoch, shows what was learned.
    assert.ok(lines[1].valLoss < lines[0].valLoss, `the validation loss did not fall: ${view.lines.join('\n')}`);
    // The page drew every step of both epochs, each within TOLERANCE of Node's.
    assert.deepEqual(view.series.losses.map((p) => p.step), Array.from({ length: steps }, (_, i) => i + 1));
    assert.deepEqual(node.map((p) => p.step), Array.from({ length: steps }, (_, i) => i + 1));
    assertSameCurve(view.series.losses, node, 'webgpu');
  });

  it('Stop ends training after the batch in progress, and "Train" continues from the checkpoint', async () => {
    const page = await browser!.newPage();
    await page.goto(`${server!.url}?strategy=wasm`);
    await waitForState(page, ['idle'], 60_000);
    // "Start over" forgets the WASM test's run and its checkpoints.
    await page.click('#reset');
    await page.waitForFunction(() => document.getElementById('state')?.textContent?.includes('forgotten'), { timeout: 30_000 });
    // A slower page, so that the click lands inside the first epoch (a WASM step is quick).
    await page.emulateCPUThrottling(8);
    await startTraining(page, 'wasm', 2);
    await page.waitForFunction(() => Number(document.body.dataset.step ?? 0) >= 2, { timeout: 60_000, polling: 'mutation' });
    // A click from inside the page: one turn of its event loop, not the several a mouse click takes.
    await page.$eval('#stop', (button) => (button as HTMLButtonElement).click());
    const stopped = await waitForState(page, ['stopped'], 60_000);
    await page.emulateCPUThrottling(null);
    assert.equal(epochLines(stopped.lines).length, 0, `not stopped inside the first epoch:\n${stopped.lines.join('\n')}`);
    await page.click('#train');
    const view = await waitForState(page, ['finished'], 120_000);
    await page.close();
    assert.ok(view.lines.some((line) => /^Resumed from the checkpoint at epoch 0, step [2-5]$/.test(line)), view.lines.join('\n'));
    assert.deepEqual(epochLines(view.lines).map((l) => l.epoch), [0, 1]);
  });
});
