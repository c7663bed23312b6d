import { StrataError } from '@strata/core';
import type { Callback } from '../callback.js';
import { isOneShot } from '../loader-arguments.js';
import type { Loader } from '../loader.js';
import type { ResolvedScheduler } from '../optim/optimizer-config.js';

// How `fit` treats loaders without a batch. Lightning warns "Total length of `DataLoader`
// across ranks is zero" for both kinds, then stops fit with no training batches and skips
// validation. Here an empty training loader is an error, since a fit that trains nothing is
// almost always a data bug; an empty validation loader is a warning and validation is skipped,
// unless a callback or scheduler monitors a validation metric, which would then never exist.

interface LoaderFields {
  readonly length?: number;
  readonly batchSize?: number;
  readonly dropLast?: boolean;
  readonly dataset?: { readonly length?: number };
}

/** What kind of loader it is, for a message: an array, a generator object, or its class. */
function loaderKind(loader: Loader<unknown>): string {
  if (Array.isArray(loader)) return 'an array';
  if (isOneShot(loader)) return 'a generator object';
  const ctor = (loader as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' && ctor.name !== 'Object' ? `a ${ctor.name}` : 'an iterable';
}

/** An empty loader in words for a message: its kind and, for a DataLoader, its samples and batch size. */
export function describeLoader(loader: Loader<unknown>): string {
  if (Array.isArray(loader)) return 'an empty array';
  const fields = loader as LoaderFields;
  if (typeof fields.dataset?.length === 'number' && typeof fields.batchSize === 'number') {
    return `${loaderKind(loader)} of 0 batches (${fields.dataset.length} samples, batchSize ${fields.batchSize}${fields.dropLast ? ', dropLast: true' : ''})`;
  }
  return `${loaderKind(loader)} of length 0`;
}

/** What to change so that `loader` yields a batch. */
function loaderFix(loader: Loader<unknown>, argument: string): string {
  const fields = loader as LoaderFields;
  const samples = fields.dataset?.length;
  if (samples === 0) return `the dataset behind ${argument} has no sample: check where it reads its data from.`;
  if (samples !== undefined && fields.dropLast && fields.batchSize !== undefined && samples < fields.batchSize) {
    return `lower batchSize to at most ${samples}, or set dropLast: false, so that ${argument} keeps its one partial batch.`;
  }
  return `give ${argument} at least one batch.`;
}

/** Fails, before any hook runs, when the training loader declares no batch. */
export function assertTrainLoaderHasBatches(loader: Loader<unknown>): void {
  if (loader.length !== 0) return;
  throw new StrataError('data-error', `Trainer.fit got an empty training loader: ${describeLoader(loader)}, so there is nothing to train on.`, {
    value: loader.length,
    fix: loaderFix(loader, 'the training loader'),
  });
}

/** The error for an epoch in which the training loader yielded no batch (one without a length shows it only then). */
export function noTrainingBatchError(loader: Loader<unknown>, epoch: number): StrataError {
  const oneShot = isOneShot(loader);
  const why = oneShot ? ' A generator object yields its batches only once, so it cannot feed a second epoch.' : '';
  return new StrataError('data-error', `Trainer.fit: the training loader (${loaderKind(loader)}) yielded no batch in epoch ${epoch}.${why}`, {
    value: epoch,
    fix: oneShot
      ? 'pass an iterable that starts over each time it is iterated (a DataLoader, an array, or an object whose [Symbol.asyncIterator]() calls your generator), or set maxEpochs: 1.'
      : 'give fit() a training loader that yields at least one batch.',
  });
}

/**
 * The evaluation loaders that run: each one of length 0 gets a warning; when all are empty,
 * none (the loop is skipped). Loaders are kept otherwise, so each keeps its index in metric
 * names (`/dataloader_idx_<i>`). `method` and `kind` name them in the warning: ('fit',
 * 'validation'), ('test', 'test').
 */
export function runnableLoaders<B>(loaders: Loader<B>[], method: string, kind: string): Loader<B>[] {
  const empty = loaders.filter((v) => v.length === 0);
  if (empty.length === 0) return loaders;
  const skipped = empty.length === loaders.length;
  loaders.forEach((v, i) => {
    if (v.length !== 0) return;
    const which = loaders.length === 1 ? `the ${kind} loader` : `${kind} loader ${i}`;
    const fix = loaderFix(v, 'it');
    console.warn(`Trainer.${method}: ${which} is ${describeLoader(v)}; ${skipped ? `${kind} is skipped` : 'it is skipped'}. To fix: ${fix}`);
  });
  return skipped ? [] : loaders;
}

/** A metric that only validation logs, by the naming convention: `val_loss`, `valid_acc`, `validation/auc`. */
function isValidationMetric(name: string): boolean {
  return /^val(id)?(ation)?[_/]/.test(name);
}

/**
 * Fails when validation is skipped but a callback or a learning-rate scheduler monitors a
 * validation metric: it would never be logged.
 */
export function assertNoValidationMonitor(callbacks: readonly Callback[], schedulers: readonly ResolvedScheduler[]): void {
  const monitors = [
    ...callbacks.map((c) => ({ owner: c.constructor.name, monitor: (c as { monitor?: unknown }).monitor })),
    ...schedulers.map((s) => ({ owner: `the learning-rate scheduler ${s.scheduler.constructor.name}`, monitor: s.monitor })),
  ];
  const needy = monitors.find((m): m is { owner: string; monitor: string } => typeof m.monitor === 'string' && isValidationMetric(m.monitor));
  if (!needy) return;
  throw new StrataError('data-error', `Trainer.fit: validation is skipped (every validation loader is empty), but ${needy.owner} monitors ${JSON.stringify(needy.monitor)}, which only validation logs.`, {
    value: needy.monitor,
    fix: `give fit() a validation loader with at least one batch, or monitor a training metric such as "train_loss".`,
  });
}
