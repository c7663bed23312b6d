import { cpus as hostCpus } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError, TfjsStrategy, errorReason, invalidOption, quote, silenceTfjsCpuBanner, type Availability, type StrategyCapabilities } from '@strata/core';
import { loadNativeEngine, nativeEngineStatus, nativeHome, type NativeEngine } from '@strata/native-engine';

export interface CpuStrategyOptions {
  /**
   * 'auto' (default) uses the native TensorFlow engine when it is built and loads, else
   * tfjs-backend-cpu; 'js' forces tfjs-backend-cpu; 'native' requires the native engine.
   */
  readonly engine?: 'auto' | 'js' | 'native';
  /** Where native engines live; default `$STRATA_NATIVE_DIR` or `<project>/.strata/native`. */
  readonly nativeDir?: string;
}

const ENGINES = ['auto', 'js', 'native'] as const;
const JS_ENGINE = 'tfjs-backend-cpu';

/** Either the loaded native engine, or why it is not used. */
type NativeOutcome = { readonly engine: NativeEngine } | { readonly reason: string; readonly remedy: string };

/**
 * Trains on the host CPU: the native TensorFlow engine (tfjs-node's binding built by
 * `npx strata-native build` against a TensorFlow wheel) when present, otherwise tfjs's
 * pure-JavaScript backend. `describe().engine` says which.
 *
 * @example
 * const strategy = new CpuStrategy();                    // native when built, else pure JS
 * const reference = new CpuStrategy({ engine: 'js' });   // always tfjs-backend-cpu
 * await strategy.setup();
 * console.log(strategy.describe().engine);               // 'TensorFlow 2.21.0 (tfjs-node 4.22.0 binding, cpu)'
 */
export class CpuStrategy extends TfjsStrategy {
  readonly name = 'cpu';
  private readonly engine: 'auto' | 'js' | 'native';
  /** Known once `isAvailable()` has probed for the native engine. */
  private nativeFound = false;
  private native: Promise<NativeOutcome> | undefined;
  private active: NativeEngine | undefined;
  private fallbackReason: string | undefined;

  constructor(private readonly options: CpuStrategyOptions = {}) {
    super();
    const engine = options.engine ?? 'auto';
    if (!ENGINES.includes(engine)) invalidOption('CpuStrategy engine', engine, ENGINES.map((e) => quote(e)).join(', '));
    this.engine = engine;
  }

  /**
   * For 'auto': the native engine (TensorFlow's own CPU kernels) trains convnets faster than
   * WASM (see bench/README.md), so it ranks above WASM (20); pure JS, far slower than both,
   * ranks below (10, tfjs's own priority for it).
   */
  get priority(): number {
    return this.nativeFound ? 25 : 10;
  }

  async isAvailable(): Promise<Availability> {
    if (this.engine === 'js') return { available: true, engine: JS_ENGINE };
    const outcome = await this.nativeOutcome();
    this.nativeFound = 'engine' in outcome;
    if ('engine' in outcome) return { available: true, engine: outcome.engine.description };
    if (this.engine === 'native') return { available: false, reason: outcome.reason, remedy: `${outcome.remedy} Or use engine: 'js'.` };
    return { available: true, engine: JS_ENGINE };
  }

  override capabilities(): StrategyCapabilities {
    return { precisions: ['32'], maxReplicas: 1, compilesSteps: false, syncReads: true };
  }

  /** Which engine computes: the native engine's description, or 'tfjs-backend-cpu'. */
  protected engineName(): string {
    return this.active ? this.active.description : JS_ENGINE;
  }

  protected backendName(): string {
    return this.active ? this.active.backendName : 'cpu';
  }

  protected async registerBackend(): Promise<void> {
    // The pure-JS backend registers itself on import; it is also the reference the other
    // strategies' preflight falls back to, so it is always registered.
    await import('@tensorflow/tfjs-backend-cpu');
    silenceTfjsCpuBanner();
    if (this.engine === 'js') return;
    const outcome = await this.nativeOutcome();
    if ('engine' in outcome) this.active = outcome.engine;
    else this.fallbackReason = outcome.reason;
  }

  protected override details(): Record<string, string> {
    const cpus = hostCpus();
    return {
      tfjs: tf.version_core,
      cpu: `${cpus[0]?.model.trim() ?? 'unknown'} x${cpus.length}`,
      ...(this.active?.details ?? {}),
      ...(this.fallbackReason ? { nativeEngine: `not used: ${this.fallbackReason}` } : {}),
    };
  }

  /** Loads the native engine once per strategy; never throws. */
  private nativeOutcome(): Promise<NativeOutcome> {
    this.native ??= (async (): Promise<NativeOutcome> => {
      const home = this.options.nativeDir ?? nativeHome();
      const status = nativeEngineStatus('cpu', home);
      if (status.state !== 'ready') return { reason: status.reason, remedy: status.remedy };
      try {
        return { engine: await loadNativeEngine('cpu', home) };
      } catch (error) {
        if (error instanceof StrataError) return { reason: error.reason, remedy: error.fix ?? '' };
        return { reason: `the native engine failed to load: ${errorReason(error)}`, remedy: 'rebuild it: npx strata-native build --force.' };
      }
    })();
    return this.native;
  }
}
