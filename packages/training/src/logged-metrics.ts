import * as tf from '@tensorflow/tfjs-core';
import { hostEffect, refuseReplay } from '@strata/core';
import type { Loggable } from './logging-types.js';

interface Running {
  /** On the strategy's devices (a variable, so that a compiled step updates it in place), or a plain number. */
  sum: tf.Variable | number;
  count: number;
  progBar: boolean;
}

/** The read-back form of running sums, for checkpoints taken mid-epoch. */
export type LoggedMetricsState = Record<string, { sum: number; count: number; progBar: boolean }>;

/**
 * Sums of logged values over an epoch, kept on the strategy's devices so that logging costs no
 * read per step; they are read once, when the epoch ends. A tensor's sum is a variable that
 * outlives the epoch (zeroed, not freed), so a compiled step that logs it replays in every
 * epoch; the count is host state, kept through `hostEffect`.
 */
export class LoggedMetrics {
  private readonly running = new Map<string, Running>();

  /** Metrics logged since the last reset. */
  get size(): number {
    let n = 0;
    for (const e of this.running.values()) if (e.count > 0) n++;
    return n;
  }

  /**
   * Adds one logged value to its epoch's sum. `weight` (default 1) counts it that many times:
   * the Trainer weighs the training loss by its batch's samples under `globalBatchSize`, so the
   * epoch's mean is the mean over samples however the batches were cut. It is fixed in a
   * compiled step's trace, so it must follow from the step's shapes (a batch's rows do).
   */
  add(name: string, value: Loggable, progBar: boolean, weight = 1): void {
    const entry = this.running.get(name);
    if (typeof value === 'number') {
      refuseReplay(`this.log(${JSON.stringify(name)}, <a number>) runs inside the step: a replay would log the number of its trace again. Log a tensor, or log the number from a hook outside the step`);
      if (entry === undefined) this.running.set(name, { sum: value * weight, count: weight, progBar });
      else {
        if (typeof entry.sum === 'number') entry.sum += value * weight;
        else {
          const sum = entry.sum;
          tf.tidy(() => sum.assign(tf.add(sum, value * weight)));
        }
        entry.count += weight;
      }
      return;
    }
    tf.tidy(() => {
      const mean = tf.cast(value.size === 1 ? tf.reshape(value, []) : tf.mean(value), 'float32');
      const scalar = weight === 1 ? mean : tf.mul(mean, weight);
      let sum: tf.Variable;
      if (entry === undefined || typeof entry.sum === 'number') {
        sum = tf.variable(tf.scalar(entry === undefined ? 0 : (entry.sum as number)), false);
        this.running.set(name, { sum, count: entry?.count ?? 0, progBar: entry?.progBar ?? progBar });
      } else sum = entry.sum;
      sum.assign(tf.add(sum, scalar));
    });
    hostEffect(() => {
      const e = this.running.get(name);
      if (e !== undefined) e.count += weight;
    });
  }

  /** Means over the epoch, read from the devices, then reset for the next. */
  async drain(read: (t: tf.Tensor) => Promise<ArrayLike<number>>): Promise<{ all: Record<string, number>; progBar: Set<string> }> {
    const all: Record<string, number> = {};
    const progBar = new Set<string>();
    const state = await this.stateDict(read);
    for (const [name, entry] of Object.entries(state)) {
      all[name] = entry.sum / entry.count;
      if (entry.progBar) progBar.add(name);
    }
    this.reset();
    return { all, progBar };
  }

  /** The running sums read back (those logged since the last reset), leaving them in place. */
  async stateDict(read: (t: tf.Tensor) => Promise<ArrayLike<number>>): Promise<LoggedMetricsState> {
    const out: LoggedMetricsState = {};
    // Start every read before awaiting any: on a remote device they overlap.
    const entries = [...this.running].filter(([, e]) => e.count > 0);
    const sums = await Promise.all(entries.map(([, e]) => (typeof e.sum === 'number' ? e.sum : read(e.sum).then((d) => d[0]))));
    entries.forEach(([name, entry], i) => (out[name] = { sum: sums[i], count: entry.count, progBar: entry.progBar }));
    return out;
  }

  loadStateDict(state: LoggedMetricsState): void {
    this.clear();
    for (const [name, e] of Object.entries(state)) this.running.set(name, { sum: e.sum, count: e.count, progBar: e.progBar });
  }

  /** Starts a new epoch: sums on the devices go back to zero (their variables stay), the others are dropped. */
  reset(): void {
    for (const [name, entry] of this.running) {
      if (typeof entry.sum === 'number') {
        this.running.delete(name);
        continue;
      }
      const sum = entry.sum;
      tf.tidy(() => sum.assign(tf.zerosLike(sum)));
      entry.count = 0;
    }
  }

  /** Drops everything, freeing the sums' variables. */
  clear(): void {
    for (const entry of this.running.values()) if (typeof entry.sum !== 'number') entry.sum.dispose();
    this.running.clear();
  }
}
