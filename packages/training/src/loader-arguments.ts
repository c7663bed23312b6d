import { StrataError } from '@strata/core';
import { isDataModule, type DataModule, type Stage } from './data-module.js';
import type { FitOptions, Loader } from './loader.js';
import type { ResolvedLimit } from './trainer-settings.js';

// How the Trainer reads its data arguments: loaders, lists of loaders, options, limits.

export function listOf<B>(value: Loader<B> | readonly Loader<B>[] | undefined): Loader<B>[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) && !(value.length > 0 && !isLoader(value[0])) ? (value as Loader<B>[]) : [value as Loader<B>];
}

export function isLoader(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (Symbol.asyncIterator in value || Symbol.iterator in value);
}

/** True for an iterator that is its own iterable (a generator object): it yields its batches once. */
export function isOneShot(loader: object): boolean {
  const l = loader as { [Symbol.asyncIterator]?: () => unknown; [Symbol.iterator]?: () => unknown };
  const iterator = l[Symbol.asyncIterator]?.() ?? l[Symbol.iterator]?.();
  return iterator === loader;
}

export function isOptions(value: unknown): value is FitOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLoader(value);
}

export function isZero(limit: ResolvedLimit): boolean {
  return limit.kind === 'count' && limit.value === 0;
}

/** Training batches between validations, or undefined for once at the end of the epoch. */
export function validationInterval(interval: ResolvedLimit | undefined, numBatches: number): number | undefined {
  if (interval === undefined || interval.kind === 'all') return undefined;
  if (interval.kind === 'count') return interval.value;
  if (!Number.isFinite(numBatches)) {
    throw new StrataError('invalid-option', `valCheckInterval is a fraction (${interval.value}) but the train loader has no length.`, {
      value: interval.value,
      fix: 'give valCheckInterval as a number of batches.',
    });
  }
  return Math.max(1, Math.floor(numBatches * interval.value));
}

/** The loaders of `stage`: those given, or those the `DataModule` makes (after its prepareData and setup). */
export async function loadersFor<B>(loaders: Loader<B> | readonly Loader<B>[] | DataModule<B>, stage: Stage): Promise<Loader<B>[]> {
  if (!isDataModule<B>(loaders)) return listOf(loaders) ?? [];
  await loaders.prepareData?.();
  await loaders.setup?.(stage);
  const made = stage === 'validate' ? loaders.valDataloader?.() : stage === 'test' ? loaders.testDataloader?.() : loaders.predictDataloader?.();
  const list = listOf(made);
  if (!list) {
    throw new StrataError('invalid-option', `The DataModule has no ${stage === 'validate' ? 'valDataloader' : `${stage}Dataloader`}().`, {
      fix: `implement it in your DataModule, or pass loaders to ${stage}().`,
    });
  }
  return list;
}
