import { StrataError } from '@strata/core';
import type { LoggedMetricsState } from '../logged-metrics.js';
import type { TensorRecord } from './checkpoint-format.js';

/** The running sum a checkpoint taken inside an epoch holds for the training loss. */
const LOSS = 'train_loss';

/**
 * What in a state about to be saved is NaN or infinite: the first float32 tensor (a module
 * variable or an optimizer slot) with such a value, or, when `lossCounts`, the running training
 * loss; undefined when everything is finite. It scans values already read back for the file, so
 * it costs no device read. `lossCounts` is false where the precision plugin skips the update of a
 * non-finite step ('16-mixed'): there a non-finite loss leaves the weights as they were, and the
 * weights decide.
 */
export function nonFiniteState(tensors: readonly TensorRecord[], trainMetrics: LoggedMetricsState, lossCounts: boolean): string | undefined {
  for (const t of tensors) {
    if (t.dtype !== 'float32') continue;
    const data = t.data as Float32Array;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        const what = t.key.startsWith('module/') ? 'model variable' : 'optimizer slot';
        return `${what} ${t.name} holds ${data[i]}`;
      }
    }
  }
  const loss = trainMetrics[LOSS];
  if (lossCounts && loss !== undefined && !Number.isFinite(loss.sum)) return `the running ${LOSS} of this epoch is ${loss.sum}`;
  return undefined;
}

/** A save refused because the state holds a NaN or infinite value; `found` says which (from `nonFiniteState`). */
export class NonFiniteStateError extends StrataError {
  constructor(
    readonly found: string,
    path: string,
    where: { epoch: number; step: number },
  ) {
    super('non-finite', `Checkpoint ${JSON.stringify(path)} not written: ${found} (epoch ${where.epoch}, step ${where.step}).`, {
      value: path,
      fix: 'lower the learning rate, clip gradients (gradientClipVal) or check the loss for log(0), and resume from an earlier checkpoint; pass allowNonFinite: true to save such a state anyway.',
    });
  }
}
