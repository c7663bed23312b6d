import * as tf from '@tensorflow/tfjs-core';
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { missingKernelOf, silenceTfjsCpuBanner, type PreflightReport } from '@strata/core';
import type { XlaBackend } from './lazy/xla-backend.js';
import { XLA_BACKEND_NAME } from './register-kernels.js';

/**
 * Preflight on the lazy backend: the probe is recorded, never run, so it costs no server time.
 * Kernels without a lowering are stood in for by the CPU backend's kernel on zeros of the
 * right shapes, only so the probe goes on and the report names every missing kernel at once.
 */
export async function preflightOn(backend: XlaBackend, strategy: string, probe: () => unknown): Promise<PreflightReport> {
  const missing = new Set<string>();
  const standIns: string[] = [];
  try {
    await import('@tensorflow/tfjs-backend-cpu');
    silenceTfjsCpuBanner();
  } catch {
    // Without the CPU backend the probe stops at the first missing kernel.
  }
  const cpu = tf.findBackend('cpu') as KernelBackend | null;
  if (cpu !== null) {
    for (const config of tf.getKernelsForBackend('cpu')) {
      if (tf.getKernel(config.kernelName, XLA_BACKEND_NAME) !== undefined) continue;
      const kernelName = config.kernelName;
      tf.registerKernel({
        kernelName,
        backendName: XLA_BACKEND_NAME,
        kernelFunc: ({ inputs, attrs }) => {
          missing.add(kernelName);
          const cpuInputs: Record<string, TensorInfo> = {};
          for (const [key, info] of Object.entries(inputs)) {
            if (!info) continue;
            const size = info.shape.reduce((a, b) => a * b, 1);
            const zeros = info.dtype === 'int32' ? new Int32Array(size) : info.dtype === 'bool' ? new Uint8Array(size) : new Float32Array(size);
            cpuInputs[key] = { dataId: cpu.write(zeros, info.shape, info.dtype), shape: info.shape, dtype: info.dtype };
          }
          const out = config.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu });
          const outs = Array.isArray(out) ? out : [out];
          const back = outs.map((o) => ({ dataId: backend.write(cpu.readSync(o.dataId), o.shape, o.dtype), shape: o.shape, dtype: o.dtype }));
          for (const info of [...Object.values(cpuInputs), ...outs]) cpu.disposeData(info.dataId, true);
          return Array.isArray(out) ? back : back[0];
        },
      });
      standIns.push(kernelName);
    }
  }
  const stop = backend.logKernels();
  let seen: string[] = [];
  try {
    tf.tidy(() => {
      probe();
    });
  } catch (error) {
    const name = missingKernelOf(error);
    if (name === undefined) throw error;
    missing.add(name);
  } finally {
    seen = stop();
    for (const name of standIns) tf.unregisterKernel(name, XLA_BACKEND_NAME);
  }
  const kernels = [...new Set([...seen, ...missing])].sort();
  return { strategy, kernels, missingKernels: [...missing].sort() };
}
