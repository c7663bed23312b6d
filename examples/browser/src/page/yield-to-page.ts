import type { Callback } from '@strata/training';

/**
 * Gives the page's event loop a turn after every training batch. A training epoch otherwise
 * runs as one chain of promise callbacks: the page would neither repaint the chart and status
 * nor see a click on "Stop" until the epoch ends.
 */
export class YieldToPage implements Callback {
  onTrainBatchEnd(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 0));
  }
}
