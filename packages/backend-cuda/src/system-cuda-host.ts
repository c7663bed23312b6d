import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { nativeEngineStatus, type NativeEngineStatus } from '@strata/native-engine';
import { inspectServerPython, type ServerPythonEnv } from '@strata/xla';
import type { CudaHost } from './cuda-host.js';

/** Where CUDA, cuDNN and the driver usually live on Linux, after LD_LIBRARY_PATH. */
const SYSTEM_LIBRARY_DIRS = [
  '/usr/local/cuda/lib64',
  '/usr/local/cuda/targets/x86_64-linux/lib',
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib64',
  '/lib/x86_64-linux-gnu',
  '/usr/lib/wsl/lib',
];

/**
 * This machine, as the CUDA strategy sees it: reads files and folders, the dynamic loader's
 * cache (`ldconfig -p`), `/proc/driver/nvidia` and the XLA server's site-packages; loads nothing.
 *
 * @example
 * new SystemCudaHost().gpus(); // ['NVIDIA H100 80GB HBM3']
 */
export class SystemCudaHost implements CudaHost {
  private loaderCache: string[] | undefined;

  constructor(
    private readonly options: { readonly nativeDir?: string; readonly env?: NodeJS.ProcessEnv; readonly libraryDirs?: readonly string[] } = {},
  ) {}

  engine(): NativeEngineStatus {
    return this.options.nativeDir ? nativeEngineStatus('cuda', this.options.nativeDir) : nativeEngineStatus('cuda');
  }

  tfjsNodeGpu(): string | undefined {
    try {
      return dirname(createRequire(join(process.cwd(), 'package.json')).resolve('@tensorflow/tfjs-node-gpu/package.json'));
    } catch {
      return undefined;
    }
  }

  exists(path: string): boolean {
    return existsSync(path);
  }

  findLibraries(prefix: string, extraDirs: readonly string[] = []): string[] {
    const env = this.options.env ?? process.env;
    const dirs = [
      ...extraDirs,
      ...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
      ...(this.options.libraryDirs ?? SYSTEM_LIBRARY_DIRS),
    ];
    const found = new Set<string>();
    for (const dir of dirs) {
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        continue;
      }
      for (const entry of entries) if (entry.startsWith(prefix)) found.add(join(dir, entry));
    }
    if (!this.options.libraryDirs) {
      for (const path of this.ldconfig()) if (path.split('/').pop()!.startsWith(prefix)) found.add(path);
    }
    return [...found].sort();
  }

  gpus(): string[] {
    // The driver lists one folder per GPU, with its model in `information`.
    const root = '/proc/driver/nvidia/gpus';
    let buses: string[] = [];
    try {
      buses = readdirSync(root);
    } catch {
      return this.nvidiaSmi();
    }
    return buses.sort().map((bus) => {
      try {
        return /Model:\s*(.+)/.exec(readFileSync(join(root, bus, 'information'), 'utf8'))?.[1]?.trim() ?? `NVIDIA GPU ${bus}`;
      } catch {
        return `NVIDIA GPU ${bus}`;
      }
    });
  }

  serverPython(python: string): ServerPythonEnv {
    return inspectServerPython(python);
  }

  /** Where /proc/driver/nvidia is absent (WSL), the driver's own tool, if installed. */
  private nvidiaSmi(): string[] {
    const result = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
    if (result.error || result.status !== 0) return [];
    return (result.stdout ?? '')
      .split('\n')
      .map((line) => /^GPU \d+: (.+?)(?: \(UUID.*)?$/.exec(line.trim())?.[1])
      .filter((name): name is string => name !== undefined);
  }

  /** The libraries the dynamic loader knows (`ldconfig -p`), once. */
  private ldconfig(): string[] {
    if (this.loaderCache) return this.loaderCache;
    const result = spawnSync('ldconfig', ['-p'], { encoding: 'utf8', timeout: 5000 });
    const fallback = result.error ? spawnSync('/sbin/ldconfig', ['-p'], { encoding: 'utf8', timeout: 5000 }) : result;
    this.loaderCache = (fallback.stdout ?? '')
      .split('\n')
      .map((line) => /=>\s*(\S+)$/.exec(line)?.[1])
      .filter((path): path is string => path !== undefined);
    return this.loaderCache;
  }
}
