import type { Precision, StrataErrorKind } from '@strata/core';
import type { CudaCheck } from './cuda-probe.js';
import type { NativeCudaStrategy } from './native/native-cuda-strategy.js';
import type { CudaXlaStrategy } from './xla/cuda-xla-strategy.js';

/** The CUDA strategy's engines: XLA on its own server (jax's CUDA plugin), or native TensorFlow. */
export type CudaEngineName = 'xla' | 'native';

/** The engine that runs, or why none can (and which one the capabilities describe then). */
export type CudaEngineChoice =
  | { readonly engine: 'xla'; readonly strategy: CudaXlaStrategy }
  | { readonly engine: 'native'; readonly strategy: NativeCudaStrategy }
  | {
      readonly engine: undefined;
      readonly preferred: CudaEngineName;
      readonly reason: string;
      readonly remedy: string;
      readonly kind: StrataErrorKind;
      readonly value?: unknown;
    };

export interface ChoiceInputs {
  readonly engine: 'auto' | CudaEngineName;
  readonly platform: 'cuda' | 'cpu';
  readonly devices: number;
  readonly precision: Precision;
  readonly xla: CudaXlaStrategy;
  readonly native: NativeCudaStrategy;
  /** The NVIDIA GPUs the driver lists. */
  readonly gpus: readonly string[];
}

/**
 * Picks the engine: 'xla' and 'native' as asked; 'auto' takes XLA where jax's CUDA plugin is
 * installed in the server's Python, else the native engine where it is built and the run
 * fits it (one GPU, 32-bit). Cheap: both engines' checks read files and start nothing.
 */
export function chooseCudaEngine(inputs: ChoiceInputs): CudaEngineChoice {
  const { engine, xla, native } = inputs;
  if (engine === 'xla' || inputs.platform === 'cpu') {
    const problem = xla.check();
    return problem ? { engine: undefined, preferred: 'xla', ...problem, kind: problem.kind ?? 'strategy-unavailable' } : { engine: 'xla', strategy: xla };
  }
  if (engine === 'native') {
    const unfit = nativeMisfit(inputs);
    if (unfit) return unfit;
    const check = native.check();
    return check.ok ? { engine: 'native', strategy: native } : { engine: undefined, preferred: 'native', reason: check.reason, remedy: check.remedy, kind: 'strategy-unavailable' };
  }
  const problem = xla.check();
  if (problem === undefined) return { engine: 'xla', strategy: xla };
  // The XLA engine is there but the run does not fit the machine (too many GPUs): say so,
  // rather than fall back to an engine that fits it even less.
  if (problem.kind !== undefined && problem.kind !== 'strategy-unavailable') {
    return { engine: undefined, preferred: 'xla', ...problem, kind: problem.kind };
  }
  if (inputs.gpus.length === 0) return { engine: undefined, preferred: 'xla', ...problem, kind: 'strategy-unavailable' };
  const check: CudaCheck = native.check();
  const unfit = nativeMisfit(inputs);
  if (check.ok && unfit === undefined) return { engine: 'native', strategy: native };
  const nativeWhy = unfit ?? (check.ok ? undefined : check);
  return {
    engine: undefined,
    preferred: 'xla',
    reason: `no CUDA engine can run: the XLA engine because ${lowerFirst(problem.reason)} The native TensorFlow engine because ${lowerFirst(nativeWhy!.reason)}`,
    remedy: `for the XLA engine (one or more GPUs, 16-bit precision): ${problem.remedy} For the native engine (one GPU, 32-bit): ${nativeWhy!.remedy}`,
    kind: 'strategy-unavailable',
  };
}

/** Where the run asks for what the native engine lacks: several GPUs, 16-bit precision. */
function nativeMisfit(inputs: ChoiceInputs): Extract<CudaEngineChoice, { engine: undefined }> | undefined {
  const gpus = inputs.devices === -1 ? inputs.gpus.length : inputs.devices;
  if (gpus > 1) {
    return {
      engine: undefined,
      preferred: 'native',
      reason: `devices: ${inputs.devices} asks for ${gpus} GPUs, and the native TensorFlow engine trains on one.`,
      remedy: `use the XLA engine (engine: 'xla' or 'auto', with jax's CUDA plugin installed) for data parallel training, or devices: 1.`,
      kind: 'unsupported-option',
      value: inputs.devices,
    };
  }
  if (inputs.precision !== '32') {
    return {
      engine: undefined,
      preferred: 'native',
      reason: `precision "${inputs.precision}" needs the XLA engine; the native TensorFlow engine trains in "32".`,
      remedy: `use the XLA engine (engine: 'xla' or 'auto', with jax's CUDA plugin installed), or precision "32".`,
      kind: 'unsupported-precision',
      value: inputs.precision,
    };
  }
  return undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
