import * as tf from '@tensorflow/tfjs-core';
import { invalidOption, TfjsStrategy, type Availability, type StrategyCapabilities } from '@strata/core';
import { registerTrainingKernels, TRAINING_KERNELS } from './register-kernels.js';
import { simdSupported } from './simd-support.js';
import { installedWasmFolder } from './wasm-binaries.js';

export interface WasmStrategyOptions {
  /**
   * Where the .wasm binaries are: a folder (ending in '/') or a URL prefix, as tfjs's
   * `setWasmPaths` takes. Default in Node: the installed package's dist folder (no network). Default
   * in a browser build: the folder of the page's bundle (copy tfjs-backend-wasm's .wasm files there).
   */
  readonly wasmPaths?: string;
  /**
   * XNNPACK threads. Applies only where tfjs-backend-wasm runs its threaded binary (browsers with
   * cross-origin isolation); tfjs-backend-wasm 4.22 never does in Node (see `describe()`).
   */
  readonly threads?: number;
}

/** Why Node runs one thread, for reports. */
const NODE_THREADS_NOTE =
  'tfjs-backend-wasm 4.22 turns threads off in Node (WASM_HAS_MULTITHREAD_SUPPORT is false when IS_NODE, tfjs issue 3830); ' +
  'forcing it fails: its Emscripten glue starts pthread workers from blob: URLs, which Node worker_threads reject (ERR_WORKER_PATH)';

/**
 * Trains on tfjs-backend-wasm (XNNPACK, SIMD), with the convolution gradient kernels it lacks
 * added by this package, so convnets such as EfficientNet train on it.
 *
 * @example
 * const strategy = new WasmStrategy();
 * await strategy.setup();
 * const loss = await strategy.runStep(() => optimizer.minimize(() => lossOf(batch), true)!);
 */
export class WasmStrategy extends TfjsStrategy {
  readonly name = 'wasm';
  /** Above tfjs's pure-JS CPU backend (10): the same math, SIMD-compiled, far faster on convnets. */
  readonly priority = 20;

  constructor(private readonly options: WasmStrategyOptions = {}) {
    super();
    if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
      invalidOption('wasm.threads', options.threads, 'a whole number of at least 1');
    }
    if (options.wasmPaths !== undefined && (typeof options.wasmPaths !== 'string' || options.wasmPaths === '')) {
      invalidOption('wasm.wasmPaths', options.wasmPaths, "a folder or URL prefix such as '/static/wasm/'");
    }
  }

  async isAvailable(): Promise<Availability> {
    if (typeof WebAssembly !== 'object') {
      return { available: false, reason: 'this JavaScript runtime has no WebAssembly.', remedy: "use Node >= 20 or a current browser, or train on the 'cpu' strategy." };
    }
    if (this.options.wasmPaths === undefined && isNode() && installedWasmFolder() === undefined) {
      return {
        available: false,
        reason: '@tensorflow/tfjs-backend-wasm (and its .wasm binaries) cannot be resolved from @strata/backend-wasm.',
        remedy: `npm install @tensorflow/tfjs-backend-wasm@${tf.version_core} (the version of your @tensorflow/tfjs-core), or pass { wasmPaths } to WasmStrategy.`,
      };
    }
    return { available: true, engine: this.engineName() };
  }

  override capabilities(): StrategyCapabilities {
    return { precisions: ['32'], maxReplicas: 1, compilesSteps: false, syncReads: true };
  }

  protected backendName(): string {
    return 'wasm';
  }

  protected engineName(): string {
    return `tfjs-backend-wasm (${simdSupported() ? 'SIMD' : 'no SIMD'})`;
  }

  protected async registerBackend(): Promise<void> {
    // Imported here, not at the top, so importing this package loads no binary and cannot throw.
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmInitialised()) {
      const paths = this.options.wasmPaths ?? installedWasmFolder();
      if (paths !== undefined) wasm.setWasmPaths(paths);
      if (this.options.threads !== undefined) wasm.setThreadsCount(this.options.threads);
    }
    registerTrainingKernels();
  }

  protected override details(): Record<string, string> {
    const details: Record<string, string> = {
      tfjs: tf.version_core,
      simd: String(simdSupported()),
      strataKernels: TRAINING_KERNELS.map((k) => k.kernelName).join(', '),
    };
    const backend = initialisedBackend() as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | undefined;
    const threads = backend?.wasm?.tfjs?.getThreadsCount?.();
    if (threads !== undefined) details['threads'] = String(threads);
    if (isNode()) details['threadsNote'] = NODE_THREADS_NOTE;
    return details;
  }
}

function isNode(): boolean {
  return typeof process !== 'undefined' && process.versions?.node !== undefined;
}

/**
 * The wasm backend if tfjs has initialised it. Not `tf.findBackend`, which initialises it, and
 * `setWasmPaths` must come before the first initialisation.
 */
function initialisedBackend(): unknown {
  return (tf.engine() as unknown as { registry: Record<string, unknown> }).registry['wasm'];
}

function wasmInitialised(): boolean {
  return initialisedBackend() !== undefined;
}
