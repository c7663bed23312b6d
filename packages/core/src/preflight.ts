import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { StrataError } from './errors.js';
import type { PreflightReport, StrategyName } from './strategy.js';

const MISSING_KERNEL = /Kernel '([^']+)' not registered for backend '([^']+)'/;

/** The name of the kernel a tfjs "not registered" error is about, if it is one. */
export function missingKernelOf(error: unknown): string | undefined {
  const match = MISSING_KERNEL.exec((error as Error | null)?.message ?? '');
  return match?.[1];
}

export interface PreflightOptions {
  /**
   * True when the backend can read tensors synchronously: then a missing kernel is run on the
   * CPU backend for the rest of the probe, so one preflight names every missing kernel rather
   * than the first.
   */
  readonly syncReads: boolean;
  /** Upper bound on probe reruns when delegation is not possible. */
  readonly maxAttempts?: number;
}

/**
 * Runs `probe` on the active backend and lists the kernels it needed and those the backend
 * lacks. Nothing the probe allocates survives it.
 */
export async function runPreflight(
  strategy: StrategyName,
  backendName: string,
  probe: () => unknown,
  options: PreflightOptions,
): Promise<PreflightReport> {
  const missing = new Set<string>();
  const delegated: string[] = [];
  const canDelegate = options.syncReads && tf.findBackend('cpu') !== null && backendName !== 'cpu';
  const maxAttempts = options.maxAttempts ?? 64;
  let kernels: string[] = [];
  try {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      try {
        const info = await tf.profile(() => {
          const result = tf.tidy(() => {
            probe();
            return tf.scalar(0);
          });
          result.dispose();
          return tf.scalar(0);
        });
        (info.result as tf.Tensor).dispose();
        kernels = info.kernelNames;
        break;
      } catch (error) {
        const name = missingKernelOf(error);
        if (name === undefined) throw error;
        missing.add(name);
        if (!canDelegate || delegated.includes(name) || tf.getKernel(name, 'cpu') === undefined) break;
        registerCpuDelegate(name, backendName);
        delegated.push(name);
      }
    }
  } finally {
    for (const name of delegated) tf.unregisterKernel(name, backendName);
  }
  for (const name of missing) if (!kernels.includes(name)) kernels.push(name);
  return { strategy, kernels: [...new Set(kernels)].sort(), missingKernels: [...missing].sort() };
}

/** Throws a `missing-kernel` error naming each kernel, when the report has any. */
export function assertNoMissingKernels(report: PreflightReport): void {
  if (report.missingKernels.length === 0) return;
  throw new StrataError(
    'missing-kernel',
    `Strategy '${report.strategy}' lacks ${report.missingKernels.length} kernel(s) this model needs: ${report.missingKernels.join(', ')}.`,
    {
      value: report.missingKernels,
      fix: `train on another strategy (for example strategy: 'cpu'), or add the kernels to @strata/backend-${report.strategy}.`,
    },
  );
}

/**
 * Registers, for the duration of a preflight, a kernel that copies its inputs to the CPU
 * backend, runs the CPU kernel and copies the outputs back, so the probe can go on.
 */
function registerCpuDelegate(kernelName: string, backendName: string): void {
  const cpuKernel = tf.getKernel(kernelName, 'cpu');
  if (cpuKernel === undefined) return;
  tf.registerKernel({
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const target = backend as KernelBackend;
      const cpu = tf.findBackend('cpu') as KernelBackend;
      const toCpu = (info: TensorInfo): TensorInfo => ({
        dataId: cpu.write(target.readSync(info.dataId) as Float32Array, info.shape, info.dtype),
        shape: info.shape,
        dtype: info.dtype,
      });
      const cpuInputs: Record<string, TensorInfo> = {};
      for (const [key, info] of Object.entries(inputs)) if (info) cpuInputs[key] = toCpu(info);
      const out = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu });
      const outs = Array.isArray(out) ? out : [out];
      const back = outs.map((info) => ({
        dataId: target.write(cpu.readSync(info.dataId) as Float32Array, info.shape, info.dtype),
        shape: info.shape,
        dtype: info.dtype,
      }));
      for (const info of [...Object.values(cpuInputs), ...outs]) cpu.disposeData(info.dataId, true);
      return Array.isArray(out) ? back : back[0];
    },
  });
}
