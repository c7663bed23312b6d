import * as tf from '@tensorflow/tfjs-core';
import { StrataError, globalRngState, setGlobalRngState, type DistributionStrategy, type Precision } from '@strata/core';
import { isOneShot } from '../../loader-arguments.js';
import type { Loader } from '../../loader.js';
import type { TrainingModule } from '../../training-module.js';
import { FastestCache } from './fastest-cache.js';
import { fastestCandidates, type Candidate } from './fastest-candidates.js';
import { fastestKeyId, machineSignature, modelSignature, strataVersion, type FastestKey } from './fastest-key.js';
import { fastestCacheDir, remeasureRequested, type ResolvedFastestOptions } from './fastest-options.js';
import { REMEASURE_HINT, fastestOf, measurementTable, type MeasuredStrategy } from './fastest-report.js';
import { batchLeaves, hostBatchTensors, readHostBatch, type HostBatch } from './host-batch.js';
import { timeSteps } from './step-timing.js';
import { VariableSnapshot } from './variable-snapshot.js';

/** What `strategy: 'fastest'` needs to choose: the strategy set up so far, the others, and the training it is for. */
export interface FastestChoice<B extends tf.TensorContainer> {
  /** The strategy set up until now (the 'auto' pick), holding the module's variables. */
  readonly active: DistributionStrategy;
  /** Every registered strategy (the active one among them). */
  readonly registered: readonly DistributionStrategy[];
  readonly module: TrainingModule<B>;
  readonly loader: Loader<B>;
  /** The epoch the loader is about to run (its shuffle depends on it). */
  readonly epoch: number;
  readonly precision: Precision;
  readonly devices: number | undefined;
  readonly options: ResolvedFastestOptions;
  readonly print: (line: string) => void;
  readonly warn: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Picks the strategy that runs this module's training step fastest here, and moves the
 * module's variables onto it (set up, with the active strategy torn down when they differ).
 * A pick cached for the same machine, model, candidates and Strata version is taken without
 * measuring. Otherwise each candidate runs the step (forward and backward, no update) on the
 * loader's first batch for its time budget, and the lowest median wins; every variable and
 * the seeded generator are as before measuring, whatever happens.
 */
export async function chooseFastestStrategy<B extends tf.TensorContainer>(choice: FastestChoice<B>): Promise<DistributionStrategy> {
  const { active, print } = choice;
  const { candidates, skipped } = await fastestCandidates(choice.registered, choice.precision, choice.devices);
  if (candidates.length === 0) {
    throw new StrataError('strategy-unavailable', `Strategy 'fastest': no registered strategy can train here (${describeRows(skipped)}).`, {
      value: 'fastest',
      fix: 'follow the reason given for the strategy you want, or import another backend package.',
    });
  }
  if (candidates.length === 1) {
    const only = candidates[0].strategy.name;
    print(
      skipped.length === 0
        ? `Strategy 'fastest': '${only}' is the only strategy registered; training on it.`
        : `Strategy 'fastest': only '${only}' can train here (${describeRows(skipped)}); training on it.`,
    );
    return moveTraining(choice, candidates[0].strategy);
  }
  if (isOneShot(choice.loader)) {
    print(`Strategy 'fastest': the train loader yields its batches once (a generator object), so no batch can be spared to measure; training on '${active.name}', the 'auto' pick. Pass a DataLoader, an array or an iterable to measure.`);
    return active;
  }
  const host = await firstBatchOnHost(choice.loader, choice.epoch);
  if (host === undefined) return active;

  const key: FastestKey = {
    strata: strataVersion(),
    machine: machineSignature(),
    model: modelSignature(choice.module, choice.module.parameters(), batchLeaves(host), choice.precision, choice.devices),
    candidates: candidates.map((c) => ({ name: c.strategy.name, engine: c.engine })),
  };
  const id = await fastestKeyId(key);
  const dir = fastestCacheDir(choice.options, choice.env);
  const cache = dir === false ? undefined : new FastestCache(dir, choice.warn);
  if (cache && !remeasureRequested(choice.options, choice.env)) {
    const entry = await cache.lookup(id);
    const cached = entry && candidates.find((c) => c.strategy.name === entry.strategy);
    if (cached) {
      print(`Strategy 'fastest': training on '${cached.strategy.name}', measured fastest for this model on this machine (cached in ${cache.path}; ${REMEASURE_HINT}).`);
      return moveTraining(choice, cached.strategy);
    }
  }

  const snapshot = new VariableSnapshot();
  await snapshot.addMissing((t) => active.read(t));
  const rng = globalRngState();
  const rows: MeasuredStrategy[] = [];
  try {
    for (const candidate of candidates) rows.push(await measureCandidate(choice, candidate, host, snapshot));
  } finally {
    // The weights back on the active strategy as they were, and the generator where it was.
    active.scope(() => snapshot.restore());
    if (rng) setGlobalRngState(rng);
  }
  const best = fastestOf(rows);
  for (const line of measurementTable([...rows, ...skipped], best?.strategy ?? '')) print(line);
  if (!best) {
    throw new StrataError('strategy-unavailable', `Strategy 'fastest': no strategy could run this module's training step (${describeRows(rows)}).`, {
      value: 'fastest',
      fix: "fix the error of the strategy you want to train on, or name it (strategy: 'cpu') to see the error in full.",
    });
  }
  const pick = candidates.find((c) => c.strategy.name === best.strategy)!.strategy;
  if (cache) await cache.store(id, { strategy: pick.name, key, measured: rows, measuredAt: new Date().toISOString() });
  print(`Training on '${pick.name}'.${cache ? ` The pick is cached in ${cache.path} for this machine and model; ${REMEASURE_HINT}.` : ''}`);
  return moveTraining(choice, pick, snapshot);
}

/** Times the module's step on one candidate; a failure becomes the row's reason. The variables end on the active strategy. */
async function measureCandidate<B extends tf.TensorContainer>(
  choice: FastestChoice<B>,
  candidate: Candidate,
  host: HostBatch,
  snapshot: VariableSnapshot,
): Promise<MeasuredStrategy> {
  const { strategy } = candidate;
  const { module, active } = choice;
  const own = strategy !== active;
  try {
    if (own) {
      strategy.setPrecision(choice.precision);
      await strategy.setup();
    }
    strategy.scope(() => snapshot.restore());
    const batch = strategy.distributeBatch(strategy.scope(() => hostBatchTensors(host)) as B);
    try {
      const step = (): tf.Scalar => {
        const { value, grads } = tf.variableGrads(() => module.trainingStep(batch, 0), module.parameters());
        tf.dispose(Object.values(grads));
        return value;
      };
      // The warm-up first builds layers a module creates lazily, so that the gradient covers them (as the preflight does).
      const warmUp = (): tf.Scalar => {
        tf.dispose(module.trainingStep(batch, 0));
        return step();
      };
      const timing = await timeSteps(strategy, { warmUp, step }, choice.options.budgetMs, () => snapshot.addMissing((t) => strategy.read(t)));
      return { strategy: strategy.name, ...timing };
    } finally {
      tf.dispose(batch);
    }
  } catch (error) {
    return { strategy: strategy.name, skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
  } finally {
    if (own) {
      active.scope(() => snapshot.restore());
      await strategy.teardown();
    }
  }
}

/**
 * Makes `pick` the strategy training runs on: the active strategy torn down, `pick` set up
 * after it (so that its backend is the one left active, where loaders make their batches), and
 * the module's variables, saved from the active strategy, written again on `pick`.
 */
async function moveTraining<B extends tf.TensorContainer>(choice: FastestChoice<B>, pick: DistributionStrategy, saved?: VariableSnapshot): Promise<DistributionStrategy> {
  const { active } = choice;
  if (pick === active) return active;
  let snapshot = saved;
  if (!snapshot) {
    snapshot = new VariableSnapshot();
    await snapshot.addMissing((t) => active.read(t));
  }
  await active.teardown();
  pick.setPrecision(choice.precision);
  await pick.setup();
  pick.scope(() => snapshot.restore());
  return pick;
}

/** The loader's first batch, copied to the host; the batch itself is disposed. */
async function firstBatchOnHost<B extends tf.TensorContainer>(loader: Loader<B>, epoch: number): Promise<HostBatch | undefined> {
  loader.setEpoch?.(epoch);
  let first: B | undefined;
  for await (const raw of loader) {
    first = raw;
    break;
  }
  if (first === undefined) return undefined;
  try {
    return await readHostBatch(first);
  } finally {
    tf.dispose(first);
  }
}

function describeRows(rows: readonly MeasuredStrategy[]): string {
  return rows.map((r) => `${r.strategy}: ${'skipped' in r ? r.skipped : `${r.medianMs} ms`}`).join('; ') || 'none is registered';
}
