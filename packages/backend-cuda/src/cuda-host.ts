import type { NativeEngineStatus } from '@strata/native-engine';
import type { ServerPythonEnv } from '@strata/xla';

/**
 * The facts about this machine that decide whether the CUDA strategy can run. `SystemCudaHost`
 * reads them from the system; tests hand `CudaProbe` other answers to cover every path.
 */
export interface CudaHost {
  /** The CUDA engine built by `strata-native build --cuda`. */
  engine(): NativeEngineStatus;
  /** The package folder of `@tensorflow/tfjs-node-gpu`, when the user has it installed. */
  tfjsNodeGpu(): string | undefined;
  /** Whether a file exists (libraries a package needs). */
  exists(path: string): boolean;
  /** Every file whose name starts with `prefix` ('libcudart.so') on the library search path. */
  findLibraries(prefix: string, extraDirs?: readonly string[]): string[];
  /** The NVIDIA GPUs the driver exposes, by name; empty when none or no driver. */
  gpus(): string[];
  /** What the XLA server's Python environment holds (jax, its CUDA plugin), read from its files. */
  serverPython(python: string): ServerPythonEnv;
}
