// Trainer overhead: the same model, data and strategy trained by `Trainer.fit` and by a
// hand-written tfjs loop (runStep + optimizer.minimize, one read at the end), alternating
// rounds so machine noise hits both alike. Target: the Trainer within 5% of the hand loop.
//   node bench/dist/trainer-overhead.js --strategy cpu --model mlp --steps 40 --rounds 5
//   npm run bench -- --suite trainer-overhead --strategies cpu
import * as tf from '@tensorflow/tfjs-core';
import { pathToFileURL } from 'node:url';
import '@strata/strategies';
import { createStrata, invalidOption, type DistributionStrategy } from '@strata/core';
import { Trainer, TrainingModule } from '@strata/training';
import { buildTfjsModel, TINY_CNN } from '@strata/vision/models';

export type OverheadModel = 'mlp' | 'tiny-cnn';

export interface TrainerOverheadOptions {
  /** A strategy instance or name ('cpu', 'cpu:js', 'cpu:native', 'wasm'...; default 'cpu'). */
  readonly strategy?: DistributionStrategy | string;
  /** 'mlp' (256-512-512-1, default) or 'tiny-cnn' (the benchmark's tiny CNN, images `imageSize`). */
  readonly model?: OverheadModel;
  readonly batchSize?: number;
  readonly imageSize?: number;
  /** Steps per round and loop (default 40). */
  readonly steps?: number;
  /** Rounds: each runs the hand loop then the Trainer (default 5); the median round counts. */
  readonly rounds?: number;
  /** Steps of each loop before measuring (default 5). */
  readonly warmup?: number;
}

export interface TrainerOverheadResult {
  readonly strategy: string;
  readonly engine: string;
  readonly model: OverheadModel;
  readonly batchSize: number;
  readonly steps: number;
  readonly rounds: number;
  /** Median over rounds of (fit time / steps). */
  readonly trainerMsPerStep: number;
  /** Median over rounds of (hand loop time / steps). */
  readonly handLoopMsPerStep: number;
  /** trainerMsPerStep / handLoopMsPerStep - 1 (0.03 is 3% slower). */
  readonly overheadRatio: number;
  /** Median over rounds of each round's trainer/hand - 1 (robust to drift on a loaded machine). */
  readonly pairedOverheadRatio: number;
  /** Fastest trainer round / fastest hand round - 1 (each loop's best case). */
  readonly minOverheadRatio: number;
  /** Median over rounds of the process CPU time (all threads) per step, hand loop and Trainer. */
  readonly handLoopCpuMsPerStep: number;
  readonly trainerCpuMsPerStep: number;
  /** Total Trainer CPU time / total hand-loop CPU time - 1, over all rounds. */
  readonly cpuOverheadRatio: number;
  /** Each round's [hand, trainer] wall ms per step. */
  readonly perRound: readonly (readonly [number, number])[];
  /** Whether the 5% target holds, judged on CPU time (wall time swings by more than 5% on a shared machine). */
  readonly withinTarget: boolean;
}

interface Net {
  readonly vars: tf.Variable[];
  loss(x: tf.Tensor, y: tf.Tensor): tf.Scalar;
}

/** The model as plain variables and ops, shared by both loops. Seeded, so both start equal; the tiny CNN is the bench's (@strata/vision). */
function makeNet(model: OverheadModel): Net {
  const v = (shape: number[], seed: number) => tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / shape.slice(0, -1).reduce((a, b) => a * b, 1)), 'float32', seed));
  if (model === 'mlp') {
    const vars = [v([256, 512], 1), tf.variable(tf.zeros([512])), v([512, 512], 2), tf.variable(tf.zeros([512])), v([512, 1], 3), tf.variable(tf.zeros([1]))];
    return {
      vars,
      loss: (x, y) => {
        let h = tf.relu(tf.add(tf.matMul(x, vars[0]), vars[1]));
        h = tf.relu(tf.add(tf.matMul(h, vars[2]), vars[3]));
        return tf.losses.sigmoidCrossEntropy(y, tf.add(tf.matMul(h, vars[4]), vars[5])) as tf.Scalar;
      },
    };
  }
  const cnn = buildTfjsModel(TINY_CNN, { seed: 1 });
  return {
    vars: [...cnn.variables],
    loss: (x, y) => tf.losses.sigmoidCrossEntropy(y, cnn.apply(x as tf.Tensor4D)) as tf.Scalar,
  };
}

type Batch = { x: tf.Tensor; y: tf.Tensor };

/** Host data for `steps` batches, turned into tensors as each batch is reached (as a DataLoader does). */
function batches(model: OverheadModel, batchSize: number, imageSize: number, steps: number): { length: number; [Symbol.iterator](): Iterator<Batch> } {
  const shape = model === 'mlp' ? [batchSize, 256] : [batchSize, imageSize, imageSize, 3];
  const size = shape.reduce((a, b) => a * b, 1);
  const x = Float32Array.from({ length: size }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const y = Float32Array.from({ length: batchSize }, (_, i) => i % 2);
  return {
    length: steps,
    *[Symbol.iterator]() {
      for (let s = 0; s < steps; s++) yield { x: tf.tensor(x, shape), y: tf.tensor(y, [batchSize, 1]) };
    },
  };
}

class OverheadModule extends TrainingModule<Batch> {
  /** One optimizer for every round, as the hand loop keeps one: no slot re-creation in timed steps. */
  readonly optimizer = tf.train.adam(1e-3);
  constructor(readonly net: Net) {
    super();
  }
  override parameters(): tf.Variable[] {
    return this.net.vars;
  }
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
  trainingStep(batch: Batch): tf.Scalar {
    return this.net.loss(batch.x, batch.y);
  }
  configureOptimizers(): tf.Optimizer {
    return this.optimizer;
  }
}

/** The loop a user would write by hand: no reads per step, the last loss read at the end. */
async function handLoop(strategy: DistributionStrategy, net: Net, optimizer: tf.Optimizer, data: Iterable<Batch>): Promise<number> {
  let last: tf.Scalar | undefined;
  for (const raw of data) {
    const batch = strategy.distributeBatch(raw);
    const loss = await strategy.runStep(() => optimizer.minimize(() => net.loss(batch.x, batch.y), true, net.vars)!);
    last?.dispose();
    last = loss;
    tf.dispose(batch);
  }
  const value = last ? (await strategy.read(last))[0] : NaN;
  last?.dispose();
  return value;
}

async function resolveStrategy(strategy: DistributionStrategy | string): Promise<DistributionStrategy> {
  if (typeof strategy !== 'string') return strategy;
  const [name, engine] = strategy.split(':');
  const options = engine ? { strategyOptions: { [name]: { engine } } } : {};
  return (await createStrata({ strategy: name, ...options })).strategy;
}

/**
 * Measures the Trainer's per-step cost against a hand-written loop on the same strategy.
 *
 * @example
 * const r = await measureTrainerOverhead({ strategy: 'cpu', model: 'mlp', steps: 40 });
 * console.log(`${(r.overheadRatio * 100).toFixed(1)}% overhead`);
 */
export async function measureTrainerOverhead(options: TrainerOverheadOptions = {}): Promise<TrainerOverheadResult> {
  const model = options.model ?? 'mlp';
  if (model !== 'mlp' && model !== 'tiny-cnn') invalidOption('model', model, "'mlp' or 'tiny-cnn'");
  const batchSize = options.batchSize ?? 64;
  const imageSize = options.imageSize ?? 64;
  const steps = options.steps ?? 40;
  const rounds = options.rounds ?? 5;
  const warmup = options.warmup ?? 5;
  for (const [name, value] of Object.entries({ batchSize, imageSize, steps, rounds })) {
    if (!Number.isInteger(value) || value < 1) invalidOption(name, value, 'an integer >= 1');
  }
  const strategy = await resolveStrategy(options.strategy ?? 'cpu');
  await strategy.setup();

  const handNet = strategy.scope(() => makeNet(model));
  const handOptimizer = strategy.scope(() => tf.train.adam(1e-3));
  const module = strategy.scope(() => new OverheadModule(makeNet(model)));
  // A fresh Trainer per fit, as a script makes one; its construction is part of the timed cost.
  const newTrainer = () =>
    new Trainer({ strategy, maxEpochs: 1, numSanityValSteps: 0, enableProgressBar: false, preflight: false, logger: false, enableCheckpointing: false });
  // Warm both paths (kernels, optimizer slots), untimed.
  if (warmup > 0) {
    await handLoop(strategy, handNet, handOptimizer, batches(model, batchSize, imageSize, warmup));
    await newTrainer().fit(module, batches(model, batchSize, imageSize, warmup));
  }
  const perRound: [number, number][] = [];
  // Wall time, and this process's CPU time (user + system, every thread): on a machine shared
  // with other jobs the CPU time is the steadier measure of what each loop itself costs.
  const cpuRounds: [number, number][] = [];
  const time = async (run: () => Promise<unknown>): Promise<[number, number]> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await run();
    const wall = (performance.now() - t0) / steps;
    const c = process.cpuUsage(c0);
    return [wall, (c.user + c.system) / 1000 / steps];
  };
  const timeHand = () => time(() => handLoop(strategy, handNet, handOptimizer, batches(model, batchSize, imageSize, steps)));
  const timeTrainer = () => time(() => newTrainer().fit(module, batches(model, batchSize, imageSize, steps)));
  for (let r = 0; r < rounds; r++) {
    // Alternate which loop goes first, so drift and warm caches favour neither.
    let hand: [number, number];
    let trainerTimes: [number, number];
    if (r % 2 === 0) {
      hand = await timeHand();
      trainerTimes = await timeTrainer();
    } else {
      trainerTimes = await timeTrainer();
      hand = await timeHand();
    }
    perRound.push([hand[0], trainerTimes[0]]);
    cpuRounds.push([hand[1], trainerTimes[1]]);
  }
  tf.dispose([...handNet.vars, ...module.net.vars]);
  handOptimizer.dispose();
  module.optimizer.dispose();

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const handLoopMsPerStep = median(perRound.map((p) => p[0]));
  const trainerMsPerStep = median(perRound.map((p) => p[1]));
  const overheadRatio = trainerMsPerStep / handLoopMsPerStep - 1;
  const pairedOverheadRatio = median(perRound.map(([h, t]) => t / h - 1));
  const minOverheadRatio = Math.min(...perRound.map((p) => p[1])) / Math.min(...perRound.map((p) => p[0])) - 1;
  const handLoopCpuMsPerStep = median(cpuRounds.map((p) => p[0]));
  const trainerCpuMsPerStep = median(cpuRounds.map((p) => p[1]));
  const cpuOverheadRatio = cpuRounds.reduce((a, p) => a + p[1], 0) / cpuRounds.reduce((a, p) => a + p[0], 0) - 1;
  const device = strategy.describe();
  return {
    strategy: device.strategy,
    engine: device.engine,
    model,
    batchSize,
    steps,
    rounds,
    trainerMsPerStep,
    handLoopMsPerStep,
    overheadRatio,
    pairedOverheadRatio,
    minOverheadRatio,
    handLoopCpuMsPerStep,
    trainerCpuMsPerStep,
    cpuOverheadRatio,
    perRound,
    withinTarget: cpuOverheadRatio <= 0.05,
  };
}

/** CLI entry (also called by the bench CLI with its argv): prints a table line and the JSON. */
export async function runTrainerOverhead(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const flag = (...names: string[]): string | undefined => {
    for (const name of names) {
      const i = argv.indexOf(name);
      if (i >= 0 && i + 1 < argv.length) return argv[i + 1];
      const inline = argv.find((a) => a.startsWith(`${name}=`));
      if (inline) return inline.slice(name.length + 1);
    }
    return undefined;
  };
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  const strategies = (flag('--strategy', '--strategies') ?? 'cpu').split(',').filter((s) => s && s !== 'none');
  const models = (flag('--model', '--overhead-model') ?? 'mlp').split(',') as OverheadModel[];
  for (const strategy of strategies) {
    for (const model of models) {
      const r = await measureTrainerOverhead({
        strategy,
        model,
        batchSize: number(flag('--overhead-batch-size')) ?? (model === 'mlp' ? 64 : number(flag('--batch-size')) ?? 32),
        imageSize: number(flag('--image-size')),
        steps: number(flag('--overhead-steps', '--steps')),
        rounds: number(flag('--rounds')),
        warmup: number(flag('--warmup')),
      });
      console.log(
        `| trainer overhead | ${r.strategy} (${r.engine}) | ${r.model} b${r.batchSize} | hand ${r.handLoopMsPerStep.toFixed(2)} ms/step | Trainer ${r.trainerMsPerStep.toFixed(2)} ms/step | ${(r.overheadRatio * 100).toFixed(1)}% (paired ${(r.pairedOverheadRatio * 100).toFixed(1)}%, best-case ${(r.minOverheadRatio * 100).toFixed(1)}%, CPU time ${(r.cpuOverheadRatio * 100).toFixed(1)}%) ${r.withinTarget ? 'within 5%' : 'over 5%'} |`,
      );
      console.log(JSON.stringify(r));
    }
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runTrainerOverhead().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
