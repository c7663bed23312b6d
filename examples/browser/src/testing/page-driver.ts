// Drives the example page through its own controls and reads what it shows.
import type { Page } from 'puppeteer-core';
import type { ChartSeries } from '../page/live-chart.js';
import type { PageState } from '../page/page-elements.js';

/** What the page shows: its state, the strategy line, the log's lines and the chart's numbers. */
export interface PageView {
  readonly state: string;
  readonly stateText: string;
  readonly strategyInUse: string;
  readonly lines: string[];
  readonly series: ChartSeries;
}

export async function readPage(page: Page): Promise<PageView> {
  return page.evaluate(() => ({
    state: document.body.dataset.state ?? '',
    stateText: document.getElementById('state')?.textContent ?? '',
    strategyInUse: document.getElementById('strategy-in-use')?.textContent ?? '',
    lines: (document.getElementById('log')?.textContent ?? '').split('\n').filter((line) => line !== ''),
    series: JSON.parse(document.getElementById('chart')?.getAttribute('data-series') ?? '{"losses":[],"aucs":[]}'),
  }));
}

/** Waits until the page is in one of `states`; a 'failed' page ends the wait with its message. */
export async function waitForState(page: Page, states: readonly PageState[], timeoutMs: number): Promise<PageView> {
  await page.waitForFunction(
    (wanted: readonly string[]) => wanted.includes(document.body.dataset.state ?? '') || document.body.dataset.state === 'failed',
    { timeout: timeoutMs, polling: 'mutation' },
    states,
  );
  const view = await readPage(page);
  if (view.state === 'failed' && !states.includes('failed')) throw new Error(`the page failed: ${view.stateText}\n${view.lines.join('\n')}`);
  return view;
}

/** Chooses the strategy and the epochs in the page's controls and presses "Train". */
export async function startTraining(page: Page, strategy: 'webgpu' | 'wasm', epochs: number): Promise<void> {
  await page.select('#strategy', strategy);
  await page.$eval('#epochs', (input, value) => {
    (input as HTMLInputElement).value = value;
  }, String(epochs));
  await page.click('#train');
}

/** The `Epoch N | AUC: ...` lines: epoch, AUC, validation loss and training loss of each. */
export function epochLines(lines: readonly string[]): { epoch: number; auc: number; valLoss: number; trainLoss: number }[] {
  return lines.flatMap((line) => {
    const match = /^Epoch (\d+) \| AUC: ([\d.]+|NaN) \| val_loss: ([\d.]+|NaN) \| train_loss: ([\d.]+|NaN) \|/.exec(line);
    return match ? [{ epoch: Number(match[1]), auc: Number(match[2]), valLoss: Number(match[3]), trainLoss: Number(match[4]) }] : [];
  });
}
