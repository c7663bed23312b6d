import * as tf from '@tensorflow/tfjs-core';
import type { Loggable } from './logging-types.js';

interface Running {
  sum: tf.Tensor | number;
  count: number;
  progBar: boolean;
}

/** The read-back form of running sums, for checkpoints taken mid-epoch. */
export type LoggedMetricsState = Record<string, { sum: number; count: number; progBar: boolean }>;

/**
 * Sums of logged values over an epoch, kept on the strategy's devices so that logging costs no
 * read per step; they are read once, when the epoch ends.
 */
export class LoggedMetrics {
  private readonly running = new Map<string, Running>();

  get size(): number {
    return this.running.size;
  }

  add(name: string, value: Loggable, progBar: boolean): void {
    const entry = this.running.get(name);
    if (typeof value === 'number') {
      if (!entry) this.running.set(name, { sum: value, count: 1, progBar });
      else this.accumulate(entry, value);
      return;
    }
    const scalar = value.size === 1 ? value : tf.mean(value);
    if (!entry) {
      this.running.set(name, { sum: tf.keep(scalar.clone()), count: 1, progBar });
      if (scalar !== value) scalar.dispose();
      return;
    }
    this.accumulate(entry, scalar);
    if (scalar !== value) scalar.dispose();
  }

  /** Means over the epoch, read from the devices, then cleared. */
  async drain(read: (t: tf.Tensor) => Promise<ArrayLike<number>>): Promise<{ all: Record<string, number>; progBar: Set<string> }> {
    const all: Record<string, number> = {};
    const progBar = new Set<string>();
    const state = await this.stateDict(read);
    for (const [name, entry] of Object.entries(state)) {
      all[name] = entry.sum / entry.count;
      if (entry.progBar) progBar.add(name);
    }
    this.clear();
    return { all, progBar };
  }

  /** The running sums read back, leaving them in place. */
  async stateDict(read: (t: tf.Tensor) => Promise<ArrayLike<number>>): Promise<LoggedMetricsState> {
    const out: LoggedMetricsState = {};
    // Start every read before awaiting any: on a remote device they overlap.
    const entries = [...this.running];
    const sums = await Promise.all(entries.map(([, e]) => (typeof e.sum === 'number' ? e.sum : read(e.sum).then((d) => d[0]))));
    entries.forEach(([name, entry], i) => (out[name] = { sum: sums[i], count: entry.count, progBar: entry.progBar }));
    return out;
  }

  loadStateDict(state: LoggedMetricsState): void {
    this.clear();
    for (const [name, e] of Object.entries(state)) this.running.set(name, { sum: e.sum, count: e.count, progBar: e.progBar });
  }

  clear(): void {
    for (const entry of this.running.values()) if (typeof entry.sum !== 'number') entry.sum.dispose();
    this.running.clear();
  }

  private accumulate(entry: Running, value: tf.Tensor | number): void {
    const previous = entry.sum;
    if (typeof previous === 'number' && typeof value === 'number') entry.sum = previous + value;
    else entry.sum = tf.keep(tf.add(previous, value));
    if (typeof previous !== 'number') previous.dispose();
    entry.count += 1;
  }
}
