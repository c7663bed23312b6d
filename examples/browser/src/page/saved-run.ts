import { defaultCheckpointStorage } from '@strata/training';
import type { ChartSeries } from './live-chart.js';
import type { StrategyRequest } from './page-strategy.js';

/** The page's record of its run, kept in localStorage so that a reload can resume it. */
export interface SavedRun {
  readonly strategy: StrategyRequest;
  readonly epochs: number;
  /** 'training' when the page was left during training: the next load resumes from the checkpoint. */
  status: 'training' | 'stopped' | 'finished';
  readonly lines: string[];
  series: ChartSeries;
}

const KEY = 'strata-browser-example/run';

/** Where the run's checkpoints go in the browser's storage. */
export const CHECKPOINT_DIR = 'strata-browser-example/checkpoints';

export function loadSavedRun(): SavedRun | undefined {
  const text = localStorage.getItem(KEY);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as SavedRun;
  } catch {
    // A record this page cannot read is dropped: the next run starts afresh.
    localStorage.removeItem(KEY);
    return undefined;
  }
}

export function storeSavedRun(run: SavedRun): void {
  localStorage.setItem(KEY, JSON.stringify(run));
}

export function forgetSavedRun(): void {
  localStorage.removeItem(KEY);
}

/** Removes the run's checkpoint files from the browser's storage. */
export async function forgetCheckpoints(): Promise<void> {
  const storage = defaultCheckpointStorage();
  for (const name of await storage.list(CHECKPOINT_DIR)) await storage.remove(`${CHECKPOINT_DIR}/${name}`);
}
