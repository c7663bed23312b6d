// Test support: a described machine for the CUDA strategy's probes, as a CudaHost: each
// situation the probes must tell apart is a few fields.
import type { NativeEngineStatus, NativeManifest } from '@strata/native-engine';
import type { ServerPythonEnv } from '@strata/xla';
import type { CudaHost } from '../cuda-host.js';

export interface Machine {
  gpus?: string[];
  engine?: 'ready' | 'absent' | 'broken';
  tfjsNodeGpu?: string;
  files?: string[];
  libraries?: string[];
  /** The XLA server's Python: 'cuda' has jax and its CUDA plugin, 'jax' only jax, 'none' nothing. */
  python?: 'cuda' | 'jax' | 'none';
}

export const TF = '/venv/lib/python3.11/site-packages/tensorflow';
export const manifest: NativeManifest = {
  format: 1,
  variant: 'cuda',
  tfjsNode: '4.22.0',
  tensorflow: {
    version: '2.21.0',
    dir: TF,
    source: 'python:/venv/bin/python',
    ccLibrary: `${TF}/libtensorflow_cc.so.2`,
    frameworkLibrary: `${TF}/libtensorflow_framework.so.2`,
    fingerprint: '1:1',
    cudaBuild: true,
    cudaVersion: '12.5.1',
    cudnnVersion: '9',
  },
  binding: 'package/lib/napi-v8/tfjs_binding.node',
  packageDir: 'package',
  node: { version: 'v20.20.2', napi: '8' },
  builtAt: '2026-11-27T00:00:00.000Z',
  buildSeconds: 12,
};

export function host(machine: Machine): CudaHost {
  const files = new Set(machine.files ?? [manifest.tensorflow.ccLibrary, manifest.tensorflow.frameworkLibrary]);
  const libraries = machine.libraries ?? ['/usr/lib/x86_64-linux-gnu/libcuda.so.1', `${TF}/../nvidia/cuda_runtime/lib/libcudart.so.12`, `${TF}/../nvidia/cudnn/lib/libcudnn.so.9`];
  return {
    engine: (): NativeEngineStatus => {
      const dir = '/home/.strata/native/cuda';
      if (machine.engine === 'absent') return { state: 'absent', dir, reason: 'no cuda native engine is built.', remedy: 'build it.' };
      if (machine.engine === 'broken') return { state: 'broken', dir, manifest, reason: 'the TensorFlow libraries the cuda engine was built against are missing: /x.', remedy: 'rebuild it: --force.' };
      return { state: 'ready', dir, manifest };
    },
    tfjsNodeGpu: () => machine.tfjsNodeGpu,
    exists: (path) => files.has(path),
    findLibraries: (prefix) => libraries.filter((path) => path.split('/').pop()!.startsWith(prefix)),
    gpus: () => machine.gpus ?? ['NVIDIA H100 80GB HBM3'],
    serverPython: (python) => pythonEnv(python, machine.python ?? 'cuda'),
  };
}

/** A Python environment at `python` with the server and jax 0.10.2, and the CUDA plugin for 'cuda'. */
export function pythonEnv(python: string, holds: 'cuda' | 'jax' | 'none'): ServerPythonEnv {
  const jax = holds === 'none' ? [] : ['jax', 'jax-0.10.2.dist-info', 'jaxlib'];
  const plugin = holds === 'cuda' ? ['jax_cuda12_plugin', 'jax_cuda12_plugin-0.10.2.dist-info'] : [];
  return {
    python,
    executable: python,
    sitePackages: ['/venv/lib/python3.11/site-packages'],
    entries: [...jax, ...plugin, 'strata_xla_server', 'strata_xla_server-0.1.0.dist-info'],
    jaxPlugins: holds === 'cuda' ? ['xla_cuda12'] : [],
    jaxVersion: holds === 'none' ? undefined : '0.10.2',
    server: 'installed',
  };
}
