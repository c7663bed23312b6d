import type * as tf from '@tensorflow/tfjs-core';

/** Names of the strategies Strata ships; third parties may register others. */
export type StrategyName = 'cpu' | 'wasm' | 'webgpu' | 'cuda' | 'tpu' | (string & {});

/** Training precisions, spelled as in PyTorch Lightning. */
export type Precision = '32' | '16-mixed' | 'bf16-mixed';

export const PRECISIONS: readonly Precision[] = ['32', '16-mixed', 'bf16-mixed'];

/** What a strategy can do, declared up front so the Trainer can refuse early. */
export interface StrategyCapabilities {
  /** Precisions this strategy can train in. */
  readonly precisions: readonly Precision[];
  /** Most replicas (devices) one step can run on. */
  readonly maxReplicas: number;
  /** True when a step is compiled into one program (XLA), false when kernels run eagerly. */
  readonly compilesSteps: boolean;
  /** True when `dataSync()` works; false when reads must be awaited. */
  readonly syncReads: boolean;
}

/** The answer of `isAvailable()`: never an exception. */
export type Availability =
  | { readonly available: true; readonly engine: string }
  | { readonly available: false; readonly reason: string; readonly remedy: string };

/** A device report for logs and benchmark tables. */
export interface DeviceReport {
  readonly strategy: StrategyName;
  /** The engine actually computing, e.g. 'tfjs-backend-cpu' or 'TensorFlow 2.21.0 (tfjs-node 4.22.0 binding, cpu)'. */
  readonly engine: string;
  /** The tfjs backend name registered for this strategy. */
  readonly backend: string;
  readonly numReplicas: number;
  readonly devices: readonly string[];
  /** Free-form facts: versions, adapter names, addresses. */
  readonly details: Readonly<Record<string, string>>;
}

/** What `preflight()` found. */
export interface PreflightReport {
  readonly strategy: StrategyName;
  /** Every kernel the probe ran, sorted. */
  readonly kernels: readonly string[];
  /** Kernels the probe needed that this strategy lacks, sorted. Empty when ready to train. */
  readonly missingKernels: readonly string[];
}

export type ReduceOp = 'sum' | 'mean';

/** Options of `DistributionStrategy.compileStep`. */
export interface CompileStepOptions {
  /** How messages name the step ('training step', 'validation step'). */
  readonly name?: string;
  /**
   * Runs each replay beside a traced run of the same step and fails on the first difference
   * (slow; for tests and debugging). Default: the STRATA_VERIFY_COMPILED environment variable.
   */
  readonly verify?: boolean;
  /**
   * false: trace and run the step at every call, never replaying (the same programs as the
   * replays would run, with the host cost of recording each step). Default true.
   */
  readonly replay?: boolean;
  /**
   * 'asynchronous': a replay returns once the server has queued its run, not once the run has
   * ended, so that the caller's next step overlaps the running one (jax's asynchronous
   * dispatch); its outputs are read from the server when the caller reads them, and an error
   * of the run reaches the next step or read. For a caller that reads the outputs later (a
   * training loop that logs every few steps). 'synchronous' (default): a replay waits for its
   * run and small outputs come back with it, for a caller that reads them at once.
   */
  readonly dispatch?: 'synchronous' | 'asynchronous';
}

/**
 * A compiled step: call it with the step's inputs and the key of its host decisions. `many`
 * runs it on each of several inputs in turn, as that many calls would, but in one execution on
 * the device once the step replays (Keras's `steps_per_execution`): the host work and the
 * round trip of a call are paid once for all of them, which is what a small, fast step needs.
 *
 * @example
 * const step = strategy.compileStep(trainOn, { name: 'training step' });
 * const losses = await step.many([batch1, batch2, batch3, batch4]); // 4 steps, one execution
 */
export type CompiledStep<I extends tf.TensorContainer, O extends tf.TensorContainer> = ((inputs: I, key?: string) => Promise<O>) & {
  readonly many: (inputs: readonly I[], key?: string) => Promise<O[]>;
};

/**
 * DI token for strategies. `Symbol.for` keeps it equal across copies of this package, so a
 * host application's container and Strata's agree. Same name as the interface, on purpose.
 */
export const DistributionStrategy: unique symbol = Symbol.for('@strata/core/DistributionStrategy') as never;

/**
 * The one interface every backend implements. The Trainer talks only to this.
 *
 * @example
 * const strategy = await createStrata({ strategy: 'cpu' });
 * await strategy.setup();
 * const loss = await strategy.runStep(() => optimizer.minimize(() => lossOf(batch), true)!);
 * console.log(await loss.data());
 * await strategy.teardown();
 */
export interface DistributionStrategy {
  /** 'cpu', 'wasm', 'webgpu', 'cuda', 'tpu' or a third-party name. */
  readonly name: StrategyName;
  /** Higher wins when the selection is 'auto'; read after `isAvailable()`, which may refine it. */
  readonly priority: number;
  /** Replicas a step runs on, after `setup()`. */
  readonly numReplicas: number;

  capabilities(): StrategyCapabilities;

  /**
   * Sets the precision steps run in, before `setup()`. Strategies whose precision lives in the
   * lowering (TPU) implement it; a precision missing from `capabilities().precisions` is an
   * `unsupported-precision` error.
   */
  setPrecision(precision: Precision): void;

  /** A cheap probe that never throws: says which engine would run, or why not and the remedy. */
  isAvailable(): Promise<Availability>;

  /** Brings the backend (or connection) up; calling it twice is harmless. */
  setup(): Promise<void>;
  /** Brings it down and frees what it holds; calling it twice is harmless. */
  teardown(): Promise<void>;

  /** Runs `fn` so that variables and optimizer state it creates live on this strategy's devices. */
  scope<T>(fn: () => T): T;

  /**
   * Places a global batch on the strategy's devices (split over replicas where there are
   * several). The strategy takes ownership of the tensors it is given.
   */
  distributeBatch<T extends tf.TensorContainer>(batch: T): T;

  /**
   * Runs one training step: `step` does forward, backward, gradient reduction and the update
   * with tfjs ops; the strategy runs it (eagerly, or records and compiles it) and marks the step
   * boundary. Intermediate tensors are freed; the returned tensors belong to the caller.
   */
  runStep<T extends tf.TensorContainer>(step: () => T): Promise<T>;

  /**
   * A step traced once and replayed, as `jax.jit` or `tf.function`: strategies whose
   * `capabilities().compilesSteps` is true give it; the others leave it out and the caller runs
   * `runStep(() => fn(inputs))`. `fn` reads its changing values from `inputs` (tensors, and
   * numbers that become arguments of the replayed program), keeps state in variables, and
   * returns what the caller needs; host values it reads otherwise are fixed at trace time
   * unless made with `dynamicScalar`, and host code it runs is replayed only through
   * `hostEffect` / `stepOutput`. `key` names host decisions that change the step's structure:
   * a different key traces again.
   */
  compileStep?<I extends tf.TensorContainer, O extends tf.TensorContainer>(fn: (inputs: I) => O, options?: CompileStepOptions): CompiledStep<I, O>;

  /** Reduces a per-replica value over replicas. */
  reduce(op: ReduceOp, value: tf.Tensor): tf.Tensor;

  /** Reads a tensor back to the host, asynchronously on every strategy. */
  read(tensor: tf.Tensor): Promise<Float32Array | Int32Array | Uint8Array>;

  describe(): DeviceReport;

  /**
   * Runs `probe` (one forward and backward pass on a sample batch, without an update) and
   * names every kernel it needs that this strategy lacks, before training starts.
   */
  preflight(probe: () => unknown): Promise<PreflightReport>;
}
