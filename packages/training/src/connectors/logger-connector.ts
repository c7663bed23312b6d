import * as tf from '@tensorflow/tfjs-core';
import { refuseReplay, stepOutput, type DistributionStrategy } from '@strata/core';
import { LoggedMetrics } from '../logged-metrics.js';
import { defaultLogger } from '../loggers/default-logger.js';
import type { Logger } from '../loggers/logger.js';
import type { LogOptions, Loggable } from '../logging-types.js';
import type { TrainerState } from '../trainer-state.js';

/** Where `log` calls go now: the training or the evaluation metrics, or nowhere ('silent'). */
export type Phase = 'train' | 'validate' | 'test' | 'silent';

interface StepLog {
  readonly step: number;
  readonly name: string;
  readonly value: tf.Tensor | number;
}

/** The loggers the `logger` option asks for (true: the platform's default), each rooted at `root` unless it has its own directory. */
export function createLoggers(option: boolean | readonly Logger[], root: string): readonly Logger[] {
  const loggers = option === true ? [defaultLogger(root)] : option === false ? [] : option;
  for (const l of loggers) l.setDefaultRootDir(root);
  return loggers;
}

/**
 * Routes what modules log, as Lightning's logger connector: epoch means into the training or
 * evaluation `LoggedMetrics`, step-level values into a queue that is read once per epoch (a read
 * per step would stall a remote device), and plain numbers to the loggers.
 */
export class LoggerConnector {
  /** Where `log` calls go now; the loops set it around the module's steps and epoch hooks. */
  phase: Phase = 'silent';
  readonly trainMetrics = new LoggedMetrics();
  readonly evalMetrics = new LoggedMetrics();
  /** True during a training batch whose optimizer step sends step-level values (every `logEveryNSteps`-th). */
  logStepNow = false;
  /** The evaluation loader running now, and how many run: with several, names get `/dataloader_idx_<i>`. */
  evalLoaderIndex = 0;
  evalLoaderCount = 1;
  /** Validation metrics of the running fit epoch, joined to the epoch's line at its end. */
  lastValMetrics: Record<string, number> = {};
  private stepLogs: StepLog[] = [];

  constructor(private readonly trainer: TrainerState) {}

  /** Records one value a module logged (`TrainingModule.log` through `Trainer.recordLog`). */
  recordLog(name: string, value: Loggable, options: LogOptions): void {
    if (this.phase === 'silent') return;
    const key = this.phase !== 'train' && this.evalLoaderCount > 1 ? `${name}/dataloader_idx_${this.evalLoaderIndex}` : name;
    const progBar = options.progBar !== false;
    // Step-level values exist in training only; evaluation logs epoch means.
    if (this.phase === 'train' && options.onStep !== false) this.queueStepLog(`${key}_step`, value);
    if (options.onEpoch === false) return;
    (this.phase === 'train' ? this.trainMetrics : this.evalMetrics).add(key, value, progBar);
  }

  /**
   * Keeps a step-level value (a tensor stays on its device) for the next `flushStepLogs`, on the
   * steps that send them (`logStepNow`, every `logEveryNSteps`). Inside a compiled step the value
   * is a step output on every step, so that one program serves both kinds of step: each replay
   * hands it over, and it is kept on the steps that send it.
   */
  queueStepLog(name: string, value: Loggable): void {
    if (this.trainer.loggers.length === 0) return; // step values only go to loggers
    if (typeof value === 'number') {
      if (!this.logStepNow) return;
      refuseReplay(`a number logged as ${JSON.stringify(name)} inside the step would be logged again as it was when traced`);
      this.stepLogs.push({ step: this.trainer.globalStep + 1, name, value });
      return;
    }
    const scalar = value.size === 1 ? value : tf.mean(value);
    stepOutput(scalar, (t) => {
      if (this.logStepNow) this.stepLogs.push({ step: this.trainer.globalStep + 1, name, value: tf.keep(t.clone()) });
    });
    if (scalar !== value) scalar.dispose();
  }

  /** Reads the queued step-level values (once, at epoch end) and sends them to the loggers. */
  async flushStepLogs(strategy: DistributionStrategy): Promise<void> {
    const logs = this.stepLogs;
    this.stepLogs = [];
    if (logs.length === 0) return;
    const values = await Promise.all(logs.map((l) => (typeof l.value === 'number' ? l.value : strategy.read(l.value).then((d) => d[0]))));
    tf.dispose(logs.map((l) => l.value).filter((v): v is tf.Tensor => typeof v !== 'number'));
    const bySteps = new Map<number, Record<string, number>>();
    logs.forEach((l, i) => bySteps.set(l.step, { ...(bySteps.get(l.step) ?? {}), [l.name]: values[i] }));
    if (this.trainer.loggers.length === 0) return;
    for (const [step, metrics] of bySteps) await this.trainer.logMetrics({ ...metrics, epoch: this.trainer.currentEpoch }, step);
  }

  /** Sends metrics (plain numbers) to every logger at `step` (default: the global step). */
  async logMetrics(metrics: Readonly<Record<string, number>>, step = this.trainer.globalStep): Promise<void> {
    for (const l of this.trainer.loggers) await l.logMetrics(metrics, step);
  }

  /**
   * Reads the epoch means of `metrics` (and clears them), adds their progress-bar names and
   * merges them into the trainer's `callbackMetrics`; returns them.
   */
  async drain(metrics: LoggedMetrics, strategy: DistributionStrategy): Promise<Record<string, number>> {
    const drained = await metrics.drain((t) => strategy.read(t));
    drained.progBar.forEach((n) => this.trainer.progBarNames.add(n));
    Object.assign(this.trainer.callbackMetrics, drained.all);
    return drained.all;
  }
}
