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
import { parseMeshTarget, totalDevices } from '../mesh/mesh-layout.js';
import { startMeshServers, type MeshServers } from '../mesh/mesh-servers.js';
import { counterGrowth, readBackendCounters } from './backend-counters.js';
import { fixedBatch, modelLoss, type FixedBatch } from './fixed-batch.js';
import { stepRunner } from './step-runner.js';
import { WorkerIO } from './worker-io.js';

/**
 * One strategy on one model, in its own process (one tfjs engine per process; a backend that
 * crashes takes only its own row). Resolves the strategy by name through Strata's container,
 * trains with `strategy.runStep(() => optimizer.minimize(...))`, and times each step until the
 * loss is on the host, as a training loop that logs its loss does. Beside each step's wall time
 * it reports the process's CPU time during the step and, on XLA strategies, how much the
 * backend's own counters grew: how much of a step is host work.
 */
export async function runStrategyWorker(config: WorkerConfig): Promise<void> {
  const io = new WorkerIO();
  // A mesh row ('tpu@PxL', the mesh suite) is the tpu strategy on its own servers of that layout.
  const layout = parseMeshTarget(config.target);
  const { strategy: name, engine } = layout ? { strategy: 'tpu', engine: undefined } : splitTarget(config.target);
  const options: Record<string, Record<string, unknown>> = { ...(config.strategyOptions ?? {}) } as Record<string, Record<string, unknown>>;
  if (engine) options[name] = { ...(options[name] ?? {}), engine };

  const started = performance.now();
  // 'tpu' without an address: this process's own local XLA server (see bench.ts).
  let server: LocalXlaServer | MeshServers | undefined;
  if (layout) {
    server = await startMeshServers(layout, config.xlaServerPython);
    if (!server.ok) {
      io.send({ type: 'unavailable', reason: server.reason, remedy: 'run bash scripts/setup.sh' });
      return;
    }
    options.tpu = { ...(options.tpu ?? {}), addresses: server.addresses, cores: totalDevices(layout) };
  } else if (name === 'tpu' && config.xlaServerPython && !options.tpu?.address) {
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
  const { model: spec, input } = config;
  const model = strategy.scope(() => buildTfjsModel(spec, { batchNorm: config.batchNorm }));
  // Strata's Adam by default: tf.train.adam's math on flat moments (a few ops a step instead of fourteen per variable).
  const optimizer = strategy.scope(() => (config.optimizer === 'tfjs' ? tf.train.adam(config.learningRate) : new FlatAdam(config.learningRate)));
  // One fixed batch, placed once: the bench measures the step, not data loading.
  const batch = strategy.distributeBatch(await fixedBatch(input));
  const loss = modelLoss(input);
  let tfjsPeak = 0;
  const sampleMemory = () => {
    tfjsPeak = Math.max(tfjsPeak, tf.memory().numBytes);
  };
  // Forward, backward and the update, as the Trainer's step: compiled where the strategy compiles steps (--compile-steps).
  const training = stepRunner(
    strategy,
    ({ inputs, labels }: FixedBatch) => {
      const value = optimizer.minimize(() => {
        const result = loss(labels, model.apply(inputs as tf.Tensor4D));
        sampleMemory();
        return result;
      }, true, model.variables as tf.Variable[]);
      sampleMemory();
      return value as tf.Scalar;
    },
    config.compileSteps,
  );
  // Compiled steps run `group` at a time in one execution (--steps-per-execution); a group's
  // time is shared by its steps, and every step's loss reaches the host.
  const group = training.mode === 'compiled' ? config.stepsPerExecution : 1;
  const batches = Array.from({ length: group }, () => batch);
  const step = async (): Promise<{ ms: number; cpuMs: number; loss: number }> => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const costs = await training.run(batches);
    let value = Number.NaN;
    for (const cost of costs) value = (await strategy.read(cost))[0] ?? Number.NaN;
    const ms = (performance.now() - t0) / group;
    const cpu = process.cpuUsage(cpu0);
    tf.dispose(costs);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000 / group, loss: value };
  };

  const report = strategy.describe();
  io.send({
    type: 'ready',
    setupMs: performance.now() - started,
    device: { engine: report.engine, devices: report.devices, details: { backend: report.backend, replicas: String(report.numReplicas), step: group > 1 ? `${training.mode}, ${group} steps per execution` : training.mode, ...report.details } },
  });

  const first = await step();
  const warmup: number[] = [];
  while (warmAgain(warmup, config)) warmup.push((await step()).ms);
  io.send({ type: 'warm', firstStepMs: first.ms, warmupMs: warmup });

  for (;;) {
    const command = await io.next();
    if (command.cmd === 'finish') break;
    const ms: number[] = [];
    const cpuMs: number[] = [];
    let last = Number.NaN;
    const before = readBackendCounters(strategy);
    for (let i = 0; i < command.steps; i += group) {
      const result = await step();
      // One entry a step: the group's steps share its time, and counters divide by steps.
      for (let k = 0; k < group; k++) {
        ms.push(result.ms);
        cpuMs.push(result.cpuMs);
      }
      last = result.loss;
    }
    const after = readBackendCounters(strategy);
    io.send({ type: 'steps', ms, loss: last, cpuMs, ...(before && after ? { backend: counterGrowth(before, after) } : {}) });
  }
  io.send({ type: 'final', rssPeakBytes: process.resourceUsage().maxRSS * 1024, tfjsPeakBytes: tfjsPeak });
}
