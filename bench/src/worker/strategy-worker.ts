import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import {
  backendLoadFailures,
  createStrataContainer,
  registeredStrategies,
  type DistributionStrategy,
  type StrategyOptionsMap,
} from '@strata/core';
import '@strata/strategies';
import { FlatAdam } from '@strata/training';
import { buildTfjsModel } from '@strata/vision/models';
import { splitTarget } from '../targets.js';
import { warmAgain } from './warmup.js';
import type { WorkerConfig } from './protocol.js';
import { startLocalXlaServer, type LocalXlaServer } from '../runner/xla-server.js';
import { WorkerIO } from './worker-io.js';

/**
 * One strategy on one model, in its own process (one tfjs engine per process; a backend that
 * crashes takes only its own row). Resolves the strategy by name through Strata's container,
 * trains with `strategy.runStep(() => optimizer.minimize(...))`, and times each step until the
 * loss is on the host, as a training loop that logs its loss does.
 */
export async function runStrategyWorker(config: WorkerConfig): Promise<void> {
  const io = new WorkerIO();
  const { strategy: name, engine } = splitTarget(config.target);
  const options: Record<string, Record<string, unknown>> = { ...(config.strategyOptions ?? {}) } as Record<string, Record<string, unknown>>;
  if (engine) options[name] = { ...(options[name] ?? {}), engine };

  const started = performance.now();
  // 'tpu' without an address: this process's own local XLA server (see bench.ts).
  let server: LocalXlaServer | undefined;
  if (name === 'tpu' && config.xlaServerPython && !options.tpu?.address) {
    server = await startLocalXlaServer(config.xlaServerPython);
    if (!server.ok) {
      io.send({ type: 'unavailable', reason: server.reason, remedy: 'run bash scripts/setup.sh, or pass --tpu-address' });
      return;
    }
    options.tpu = { ...(options.tpu ?? {}), address: server.address };
  }
  try {
    await runWith(io, name, options, config, started);
  } finally {
    if (server?.ok) await server.stop();
  }
}

async function runWith(io: WorkerIO, name: string, options: Record<string, Record<string, unknown>>, config: WorkerConfig, started: number): Promise<void> {
  const container = await createStrataContainer({ strategyOptions: options as StrategyOptionsMap });
  const registered = registeredStrategies(container);
  const strategy = registered.find((s) => s.name === name);
  if (!strategy) {
    const failure = backendLoadFailures(container).find((f) => f.packageName.endsWith(`-${name}`));
    io.send({
      type: 'unavailable',
      reason: failure
        ? `${failure.packageName} failed to load: ${(failure.error as Error)?.message ?? String(failure.error)}`
        : `no strategy '${name}' is registered (registered: ${registered.map((s) => s.name).join(', ') || 'none'})`,
      remedy: failure ? `rebuild it: npx turbo run build --filter=${failure.packageName}` : 'install and build its backend package',
    });
    return;
  }
  const availability = await strategy.isAvailable();
  if (!availability.available) {
    io.send({ type: 'unavailable', reason: availability.reason, remedy: availability.remedy });
    return;
  }
  await strategy.setup();
  try {
    await train(io, strategy, config, started);
  } finally {
    await strategy.teardown();
  }
}

async function train(io: WorkerIO, strategy: DistributionStrategy, config: WorkerConfig, started: number): Promise<void> {
  const { batchSize, imageSize, model: spec } = config;
  const model = strategy.scope(() => buildTfjsModel(spec, { batchNorm: config.batchNorm }));
  // Strata's Adam by default: tf.train.adam's math on flat moments (a few ops a step instead of fourteen per variable).
  const optimizer = strategy.scope(() => (config.optimizer === 'tfjs' ? tf.train.adam(config.learningRate) : new FlatAdam(config.learningRate)));
  // One fixed batch, placed once: the bench measures the step, not data loading.
  const batch = strategy.distributeBatch({
    images: tf.randomUniform([batchSize, imageSize, imageSize, spec.inputChannels], 0, 1, 'float32', 7) as tf.Tensor4D,
    labels: tf.cast(tf.greater(tf.randomUniform([batchSize, 1], 0, 1, 'float32', 8), 0.5), 'float32') as tf.Tensor2D,
  });
  let tfjsPeak = 0;
  const sampleMemory = () => {
    tfjsPeak = Math.max(tfjsPeak, tf.memory().numBytes);
  };
  const step = async (): Promise<{ ms: number; loss: number }> => {
    const t0 = performance.now();
    const loss = await strategy.runStep(() => {
      const cost = optimizer.minimize(() => {
        const logits = model.apply(batch.images);
        const value = tf.losses.sigmoidCrossEntropy(batch.labels, logits) as tf.Scalar;
        sampleMemory();
        return value;
      }, true, model.variables as tf.Variable[]);
      sampleMemory();
      return cost as tf.Scalar;
    });
    const value = (await strategy.read(loss))[0] ?? Number.NaN;
    const ms = performance.now() - t0;
    loss.dispose();
    return { ms, loss: value };
  };

  const report = strategy.describe();
  io.send({
    type: 'ready',
    setupMs: performance.now() - started,
    device: { engine: report.engine, devices: report.devices, details: { backend: report.backend, replicas: String(report.numReplicas), ...report.details } },
  });

  const first = await step();
  const warmup: number[] = [];
  while (warmAgain(warmup, config)) warmup.push((await step()).ms);
  io.send({ type: 'warm', firstStepMs: first.ms, warmupMs: warmup });

  for (;;) {
    const command = await io.next();
    if (command.cmd === 'finish') break;
    const ms: number[] = [];
    let loss = Number.NaN;
    for (let i = 0; i < command.steps; i++) {
      const result = await step();
      ms.push(result.ms);
      loss = result.loss;
    }
    io.send({ type: 'steps', ms, loss });
  }
  io.send({ type: 'final', rssPeakBytes: process.resourceUsage().maxRSS * 1024, tfjsPeakBytes: tfjsPeak });
}
