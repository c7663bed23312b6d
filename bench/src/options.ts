import { StrataError, invalidOption, quote } from '@strata/core';
import { DEFAULT_LAYOUTS, layoutName, parseLayouts, type MeshLayout } from './mesh/mesh-layout.js';
import { batchSizeOf, MODELS } from './models/registry.js';
import { MAIN_BLOCK } from './report/readme-block.js';
import type { BenchSettings } from './settings.js';
import { PEERS, splitTarget } from './targets.js';

/** Everything the command line takes, resolved: the bench's settings and what only the command line has. */
export interface BenchOptions extends BenchSettings {
  /** Repeat the whole benchmark this many times and report how much the ratios move. */
  readonly runs: number;
  readonly outDir?: string;
  readonly python?: string;
  readonly pythonSetup: boolean;
  readonly tpuAddress?: string;
  readonly xlaPython?: string;
  /**
   * 'benchmark' (the table), 'trainer-overhead' (Trainer vs a hand-written loop), 'all' (both),
   * or 'mesh' (the tpu strategy on each of `layouts`: one server against several as one mesh).
   */
  readonly suite: 'benchmark' | 'trainer-overhead' | 'all' | 'mesh';
  /** The mesh suite's layouts (--layouts), the first the baseline; the other suites ignore them. */
  readonly layouts: readonly MeshLayout[];
  /** Also write the table to bench/RESULTS.md and the chart to bench/RESULTS.svg. */
  readonly publish: boolean;
  /** A README whose <!-- bench:start --> ... <!-- bench:end --> block gets the table. */
  readonly readme?: string;
  /** Which block of that README: 'bench' (the default) or a name N for <!-- bench:N:start --> ... <!-- bench:N:end -->. */
  readonly readmeBlock: string;
  /** JSON reports to render again (table, chart, --publish, --readme) instead of running; several of one machine combine. */
  readonly render?: readonly string[];
  /** JSON reports to compare (ratio stability) instead of running. */
  readonly compare: readonly string[];
  readonly help: boolean;
}

/**
 * Every strategy Strata ships. 'cpu' runs the CPU strategy's own choice (the native engine where
 * built, else pure JS); the pure-JS engine beside a native one ('cpu:js') is opt-in: its kernels
 * are orders of magnitude slower than every other engine's (bench/README.md has its times).
 */
export const DEFAULT_STRATEGIES = ['cpu', 'wasm', 'webgpu', 'cuda', 'tpu'] as const;

export const DEFAULTS = {
  imageSize: 64,
  steps: 30,
  warmup: 3,
  chunk: 3,
  processes: 3,
  maxSecondsPerTarget: 60,
  minSecondsPerTarget: 10,
  stepTimeoutSeconds: 180,
  learningRate: 1e-3,
  runs: 1,
} as const satisfies Partial<BenchOptions>;

/**
 * The mesh suite's own defaults, where they differ: its two models (the compute-bound tiny CNN
 * and the host-bound MLP) and shorter rows, so that its six rows, each starting its own servers
 * in every process, take a few minutes on a 2-core machine.
 */
export const MESH_DEFAULTS = {
  models: ['tiny-cnn', 'mlp'],
  steps: 20,
  processes: 2,
  maxSecondsPerTarget: 30,
  minSecondsPerTarget: 6,
  readmeBlock: 'mesh',
} as const;

export const USAGE = `Usage: npm run bench -- [flags]

  --strategies LIST   comma-separated: ${DEFAULT_STRATEGIES.join(',')} (default: all of them;
                      'cpu' is the CPU strategy's own engine choice, cpu:native / cpu:js force one
                      (cpu:js, tfjs's pure-JS kernels, is opt-in: minutes per step); cuda:xla /
                      cuda:native force one of the CUDA strategy's engines; 'none')
  --peers LIST        ${PEERS.join(',')} (default: all; 'none' to skip Python)
  --models LIST       ${Object.keys(MODELS).join(',')} (default: all; mlp is the host-bound MLP 784-256-10)
  --batch-size N      examples per step, for every model (default: each model's own: ${Object.keys(MODELS).map((m) => `${m} ${batchSizeOf(m, undefined)}`).join(', ')})
  --image-size N      height and width of the images (default ${DEFAULTS.imageSize}; the mlp takes 784-feature vectors)
  --steps N           measured steps per row (default ${DEFAULTS.steps})
  --warmup N          steps before measuring, the first reported apart (default ${DEFAULTS.warmup})
  --chunk N           steps per row per round; rounds alternate the rows (default ${DEFAULTS.chunk})
  --processes N       worker processes per row, their steps pooled: a program's speed differs a little
                      from one process to the next (code and data placement), which one process per
                      row turns into ratios that move between runs (default ${DEFAULTS.processes})
  --max-seconds S     measured time per row and model; slower rows run fewer steps (default ${DEFAULTS.maxSecondsPerTarget})
  --min-seconds S     measured time every row gets at least: faster rows run more steps than --steps, so
                      that a ratio does not rest on a second of steps (default ${DEFAULTS.minSecondsPerTarget}; 0: --steps only)
  --step-timeout S    one step slower than this ends its row as timed out (default ${DEFAULTS.stepTimeoutSeconds})
  --learning-rate X   Adam's learning rate (default ${DEFAULTS.learningRate})
  --optimizer NAME    the strategies' Adam: flat (default; Strata's FlatAdam, tf.train.adam's math on flat
                      moments) or tfjs (tf.train.adam, fourteen ops per variable)
  --compile-steps M   auto (default): strategies that compile steps (trace once, replay) run the step compiled,
                      as the Trainer does; off: runStep, traced again every step
  --steps-per-execution N
                      compiled steps run N at a time in one execution (Keras's steps_per_execution),
                      each step's loss read when its group ends; a row's step time is the group's / N
                      (default 1)
  --batch-norm NAME   the strategies' training batch norm: strata (default; @strata/core's batchNormTraining,
                      one op with its own gradient, fused on the native engine) or tfjs (tfjs-layers'
                      moments + batchNorm, differentiated op by op)
  --runs N            repeat the whole benchmark N times and report how much the ratios move
  --threads N         threads for every framework (OMP/torch, TensorFlow, XLA, llvmpipe); default: each
                      framework's own (all cores). On a busy shared machine 2-thread OpenMP (PyTorch)
                      slows down 10x when its threads are not scheduled together: --threads 1 compares
                      the engines, not the scheduler
  --malloc MODE       fixed (default): every worker keeps freed memory for reuse (glibc's mmap and
                      trim thresholds pinned), so no process pays page faults each step that its
                      twin does not; default: glibc's own, moving thresholds
  --out-dir DIR       where the JSON, Markdown and SVG go (default bench/results)
  --publish           also write bench/RESULTS.md and bench/RESULTS.svg (the committed copies)
  --readme FILE       replace the <!-- bench:start --> ... <!-- bench:end --> block of FILE with the table
  --readme-block N    the README's <!-- bench:N:start --> ... <!-- bench:N:end --> block instead, e.g. a
                      second table measured on another machine (gpu); with --publish, bench/RESULTS-N.*
  --python PATH       the Python for the peers (default: .venv-bench, set up on first use)
  --no-python-setup   never create the peers' Python environment
  --tpu-address URL   the XLA server for 'tpu' (default: start one locally on a free port)
  --xla-python PATH   the Python that has strata_xla_server (default: the project's .venv)
  --suite NAME        benchmark (default); trainer-overhead (Trainer.fit vs a hand-written loop, its own
                      flags: --rounds, --overhead-model, --overhead-steps, --overhead-batch-size); all
                      (the benchmark plus the Trainer overhead on cpu, tiny CNN, as one more target); or
                      mesh (the tpu strategy on local XLA:CPU servers, one against several as one
                      jax.distributed mesh, --layouts; models ${MESH_DEFAULTS.models.join(',')}, --steps ${MESH_DEFAULTS.steps},
                      --processes ${MESH_DEFAULTS.processes}, --max-seconds ${MESH_DEFAULTS.maxSecondsPerTarget}, --min-seconds ${MESH_DEFAULTS.minSecondsPerTarget}, --readme-block ${MESH_DEFAULTS.readmeBlock} unless given)
  --layouts LIST      --suite mesh: comma-separated PxL, P server processes of L devices each, the first
                      the baseline (default ${DEFAULT_LAYOUTS.map(layoutName).join(',')}: one device; two on one server; two
                      servers of one device as one mesh)
  --render FILE.json [MORE.json ...]  write the table and chart of saved reports again (with --publish,
                      --readme), no run; several reports of one machine make one table, each model from
                      the last report that measured it, with the stability of a model measured more than once
                      (with --suite mesh: one report of the mesh suite, its table and --readme block)
  --compare A.json B.json ...   print the ratio spread of earlier runs and exit
  --help`;

const FLAGS_WITH_VALUE = new Set([
  'strategies', 'peers', 'models', 'batch-size', 'image-size', 'steps', 'warmup', 'chunk', 'processes', 'max-seconds', 'min-seconds', 'step-timeout',
  'learning-rate', 'optimizer', 'batch-norm', 'compile-steps', 'steps-per-execution', 'runs', 'threads', 'malloc', 'out-dir', 'python', 'tpu-address', 'xla-python', 'suite', 'layouts', 'readme', 'readme-block', 'render',
  // Read by the trainer-overhead suite (bench/src/trainer-overhead.ts).
  'rounds', 'overhead-model', 'overhead-steps', 'overhead-batch-size',
]);
const BOOLEAN_FLAGS = new Set(['publish', 'no-python-setup', 'help', 'compare']);

/**
 * Parses the bench's command line. Unknown flags, names and out-of-range numbers are errors that
 * list what is accepted.
 *
 * @example
 * parseOptions(['--strategies', 'cpu,wasm', '--steps', '10']).steps; // 10
 */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (FLAGS_WITH_VALUE.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new StrataError('invalid-option', `Flag --${name} needs a value.`, { value: arg, fix: USAGE });
      values.set(name, value);
    } else if (BOOLEAN_FLAGS.has(name)) {
      flags.add(name);
    } else {
      throw new StrataError('invalid-option', `Unknown flag ${quote(arg)}.`, {
        value: arg,
        fix: `use one of ${[...FLAGS_WITH_VALUE, ...BOOLEAN_FLAGS].map((f) => `--${f}`).join(', ')}.`,
      });
    }
  }
  if (positional.length > 0 && !flags.has('compare') && !values.has('render')) {
    throw new StrataError('invalid-option', `Unexpected argument ${quote(positional[0])}.`, { value: positional[0], fix: 'flags start with --; see --help.' });
  }

  const suite = values.get('suite') ?? 'benchmark';
  if (suite !== 'benchmark' && suite !== 'trainer-overhead' && suite !== 'all' && suite !== 'mesh') invalidOption('--suite', suite, "'benchmark', 'trainer-overhead', 'all' or 'mesh'");
  const mesh = suite === 'mesh';
  if (mesh) {
    // The mesh suite measures the tpu strategy on servers it starts itself: these would be ignored.
    for (const flag of ['strategies', 'peers', 'tpu-address', 'compare', 'publish', 'runs']) {
      if (values.has(flag) || flags.has(flag)) {
        throw new StrataError('invalid-option', `--suite mesh does not take --${flag}.`, {
          value: `--${flag}`,
          fix: 'leave it out: the mesh suite runs the tpu strategy on the servers of each --layouts layout, which it starts itself.',
        });
      }
    }
  } else if (values.has('layouts')) {
    throw new StrataError('invalid-option', `--layouts is for --suite mesh (the suite is ${quote(suite)}).`, { value: values.get('layouts'), fix: 'add --suite mesh, or leave --layouts out.' });
  }
  const layouts = values.has('layouts') ? parseLayouts(values.get('layouts')!) : [...DEFAULT_LAYOUTS];
  const defaults = mesh ? { ...DEFAULTS, ...MESH_DEFAULTS } : { ...DEFAULTS, models: Object.keys(MODELS), readmeBlock: MAIN_BLOCK };

  const strategies = list(values.get('strategies'), [...DEFAULT_STRATEGIES]);
  strategies.forEach((s) => splitTarget(s));
  const peers = list(values.get('peers'), [...PEERS]);
  for (const peer of peers) {
    if (!(PEERS as readonly string[]).includes(peer)) invalidOption('--peers', peer, `a list of ${PEERS.map((p) => quote(p)).join(', ')}, or 'none'`);
  }
  const models = list(values.get('models'), [...defaults.models]);
  for (const model of models) {
    if (!MODELS[model]) invalidOption('--models', model, `a list of ${Object.keys(MODELS).map((m) => quote(m)).join(', ')}`);
  }
  if (mesh && models.length === 0) invalidOption('--models', values.get('models')!, `a list of ${Object.keys(MODELS).map((m) => quote(m)).join(', ')}: the mesh suite needs one or more`);
  const malloc = values.get('malloc') ?? 'fixed';
  if (malloc !== 'fixed' && malloc !== 'default') invalidOption('--malloc', malloc, "'fixed' or 'default'");
  const maxSeconds = positive(values, 'max-seconds', defaults.maxSecondsPerTarget);
  const minSeconds = values.has('min-seconds') ? nonNegative(values, 'min-seconds') : Math.min(defaults.minSecondsPerTarget, maxSeconds);
  if (minSeconds > maxSeconds) invalidOption('--min-seconds', values.get('min-seconds')!, `at most --max-seconds (${maxSeconds}), the most a row may take`);
  const optimizer = values.get('optimizer') ?? 'flat';
  if (optimizer !== 'flat' && optimizer !== 'tfjs') invalidOption('--optimizer', optimizer, "'flat' (Strata's FlatAdam) or 'tfjs' (tf.train.adam)");
  const batchNorm = values.get('batch-norm') ?? 'strata';
  if (batchNorm !== 'strata' && batchNorm !== 'tfjs') invalidOption('--batch-norm', batchNorm, "'strata' (batchNormTraining) or 'tfjs' (tfjs-layers' moments + batchNorm)");
  const compileSteps = values.get('compile-steps') ?? 'auto';
  if (compileSteps !== 'auto' && compileSteps !== 'off') invalidOption('--compile-steps', compileSteps, "'auto' (compiled where the strategy compiles steps) or 'off' (runStep every step)");
  const readmeBlock = values.get('readme-block') ?? defaults.readmeBlock;
  if (!/^[a-z0-9][a-z0-9-]*$/.test(readmeBlock)) invalidOption('--readme-block', readmeBlock, "a name of lower-case letters, digits and '-', such as 'gpu'");

  return {
    strategies,
    peers,
    models,
    ...(values.has('batch-size') ? { batchSize: whole(values, 'batch-size', 1, 1) } : {}),
    imageSize: whole(values, 'image-size', DEFAULTS.imageSize, 8),
    steps: whole(values, 'steps', defaults.steps, 1),
    warmup: whole(values, 'warmup', DEFAULTS.warmup, 1),
    chunk: whole(values, 'chunk', DEFAULTS.chunk, 1),
    processes: whole(values, 'processes', defaults.processes, 1),
    maxSecondsPerTarget: maxSeconds,
    minSecondsPerTarget: minSeconds,
    stepTimeoutSeconds: positive(values, 'step-timeout', DEFAULTS.stepTimeoutSeconds),
    learningRate: positive(values, 'learning-rate', DEFAULTS.learningRate),
    optimizer,
    batchNorm,
    compileSteps,
    stepsPerExecution: whole(values, 'steps-per-execution', 1, 1),
    runs: whole(values, 'runs', DEFAULTS.runs, 1),
    ...(values.has('threads') ? { threads: whole(values, 'threads', 1, 1) } : {}),
    malloc,
    ...(values.has('out-dir') ? { outDir: values.get('out-dir')! } : {}),
    ...(values.has('python') ? { python: values.get('python')! } : {}),
    pythonSetup: !flags.has('no-python-setup'),
    ...(values.has('tpu-address') ? { tpuAddress: values.get('tpu-address')! } : {}),
    ...(values.has('xla-python') ? { xlaPython: values.get('xla-python')! } : {}),
    suite,
    layouts,
    publish: flags.has('publish'),
    ...(values.has('readme') ? { readme: values.get('readme')! } : {}),
    readmeBlock,
    ...(values.has('render') ? { render: [values.get('render')!, ...positional] } : {}),
    compare: flags.has('compare') ? positional : [],
    help: flags.has('help'),
  };
}

function list(value: string | undefined, fallback: string[]): string[] {
  if (value === undefined || value === 'all') return fallback;
  if (value === 'none') return [];
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  return [...new Set(items)];
}

function whole(values: Map<string, string>, name: string, fallback: number, min: number): number {
  const raw = values.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) invalidOption(`--${name}`, raw, `a whole number of at least ${min}`);
  return n;
}

function nonNegative(values: Map<string, string>, name: string): number {
  const raw = values.get(name)!;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) invalidOption(`--${name}`, raw, 'a number of seconds, 0 or more');
  return n;
}

function positive(values: Map<string, string>, name: string, fallback: number): number {
  const raw = values.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) invalidOption(`--${name}`, raw, 'a positive number');
  return n;
}
