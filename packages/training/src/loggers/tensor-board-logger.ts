import type { Hyperparameters } from '../logging-types.js';
import { EventFileWriter } from './event-file-writer.js';
import { requireLogFiles } from './log-files.js';
import { Logger, type LoggerOptions } from './logger.js';
import { encodeHParamsPluginData } from './tensorboard-protos.js';

/**
 * Writes TensorBoard event files (TFRecord framing, masked CRC32C, Event protos): one scalar
 * summary per metric, and the hyperparameters for TensorBoard's HParams dashboard.
 *
 * @example
 * new Trainer({ logger: new TensorBoardLogger({ saveDir: 'runs' }) });
 * // then: tensorboard --logdir runs
 */
export class TensorBoardLogger extends Logger {
  readonly kind = 'tensorboard';
  private writer: EventFileWriter | undefined;
  private hparamsLogged = false;

  constructor(options: LoggerOptions = {}) {
    super(options);
    requireLogFiles('TensorBoardLogger');
  }

  private get events(): EventFileWriter {
    return (this.writer ??= new EventFileWriter(this.logDir));
  }

  logHyperparams(hparams: Hyperparameters): void {
    const now = Date.now() / 1000;
    const entries = Object.entries(hparams);
    const value = (v: Hyperparameters[string]) =>
      v === null ? { nullValue: 0 } : typeof v === 'number' ? { numberValue: v } : typeof v === 'boolean' ? { boolValue: v } : { stringValue: v };
    const dataType = (v: Hyperparameters[string]) => (typeof v === 'number' ? 3 : typeof v === 'boolean' ? 2 : 1);
    // As torch.utils.tensorboard's hparams(): an experiment, then the session's start.
    this.pluginSummary('_hparams_/experiment', {
      version: 0,
      experiment: { timeCreatedSecs: now, hparamInfos: entries.map(([name, v]) => ({ name, type: dataType(v) })) },
    });
    this.pluginSummary('_hparams_/session_start_info', {
      version: 0,
      sessionStartInfo: { hparams: Object.fromEntries(entries.map(([k, v]) => [k, value(v)])), startTimeSecs: now },
    });
    this.hparamsLogged = true;
    this.events.flush();
  }

  logMetrics(metrics: Readonly<Record<string, number>>, step: number): void {
    const wallTime = Date.now() / 1000;
    this.events.add({
      wallTime,
      step,
      summary: { value: Object.entries(metrics).map(([tag, simpleValue]) => ({ tag, simpleValue })) },
    });
  }

  override save(): void {
    this.writer?.flush();
  }

  override finalize(status: 'success' | 'failed'): void {
    if (this.hparamsLogged) {
      this.pluginSummary('_hparams_/session_end_info', { version: 0, sessionEndInfo: { status: status === 'success' ? 1 : 2, endTimeSecs: Date.now() / 1000 } });
    }
    this.writer?.close();
    this.writer = undefined;
  }

  private pluginSummary(tag: string, data: Record<string, unknown>): void {
    const content = encodeHParamsPluginData(data);
    this.events.add({
      wallTime: Date.now() / 1000,
      step: 0,
      summary: { value: [{ tag, metadata: { pluginData: { pluginName: 'hparams', content } } }] },
    });
  }
}
