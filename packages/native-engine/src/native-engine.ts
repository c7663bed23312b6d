import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
import { loadWithTensorflowLevel } from './stderr-capture.js';
import { quietTensorflowLogs } from './tensorflow-log-level.js';
import { NATIVE_BACKEND_NAME } from './kernels/native-backend.js';
import { registerNativeKernels } from './kernels/register-kernels.js';
import { engineDir, nativeHome, type NativeVariant } from './native-home.js';
import { readManifest, type NativeManifest } from './native-manifest.js';

/** The tfjs backend name the native engine registers (tfjs-node's kernels are registered under it). */
export const NATIVE_BACKEND = NATIVE_BACKEND_NAME;

/** Set to 'off' to load the native engine with tfjs-node's kernels only (see kernels/). */
export const NATIVE_KERNELS_ENV = 'STRATA_NATIVE_KERNELS';

/** A native TensorFlow engine, loaded and registered as the tfjs backend 'tensorflow'. */
export interface NativeEngine {
  readonly backendName: typeof NATIVE_BACKEND;
  readonly variant: NativeVariant;
  /** For reports: 'TensorFlow 2.21.0 (tfjs-node 4.22.0 binding, cpu)'. */
  readonly description: string;
  readonly details: Readonly<Record<string, string>>;
  readonly dir: string;
  readonly manifest: NativeManifest;
}

/** What is on disk for one engine, found without loading anything. */
export type NativeEngineStatus =
  | { readonly state: 'ready'; readonly dir: string; readonly manifest: NativeManifest }
  | { readonly state: 'absent' | 'broken'; readonly dir: string; readonly reason: string; readonly remedy: string; readonly manifest?: NativeManifest };

/** The command that builds an engine, for remedies. */
export function buildCommand(variant: NativeVariant): string {
  return variant === 'cuda'
    ? 'npx strata-native build --cuda --python <python with tensorflow[and-cuda]==2.21.0>'
    : 'npx strata-native build';
}

/**
 * Whether an engine is built in `dir`, and whether the TensorFlow libraries it was linked
 * against are still there. Cheap: reads the manifest and stats a few files.
 *
 * @example
 * const status = nativeEngineStatus('cpu');
 * if (status.state !== 'ready') console.log(status.reason, status.remedy);
 */
export function nativeEngineStatus(variant: NativeVariant, home: string = nativeHome()): NativeEngineStatus {
  const dir = engineDir(variant, home);
  const manifest = readManifest(dir);
  if (!manifest) {
    return { state: 'absent', dir, reason: `no ${variant} native engine is built (nothing at ${dir}).`, remedy: `build it: ${buildCommand(variant)}.` };
  }
  if (!existsSync(join(dir, manifest.binding))) {
    return { state: 'broken', dir, manifest, reason: `the ${variant} engine's binding is missing from ${dir}.`, remedy: `rebuild it: ${buildCommand(variant)} --force.` };
  }
  const missing = [manifest.tensorflow.ccLibrary, manifest.tensorflow.frameworkLibrary].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    return {
      state: 'broken',
      dir,
      manifest,
      reason: `the TensorFlow libraries the ${variant} engine was built against are missing: ${missing.join(', ')}.`,
      remedy: `reinstall TensorFlow ${manifest.tensorflow.version} there, or rebuild against the libraries you have: ${buildCommand(variant)} --force.`,
    };
  }
  return { state: 'ready', dir, manifest };
}

interface LoadedState {
  readonly dir: string;
  readonly engine: NativeEngine;
}
// One TensorFlow runtime per process: both engines' libraries share one soname, so the
// second would silently run on the first one's. Kept on globalThis so copies of this package agree.
const LOADED = Symbol.for('@strata/native-engine');
const globalState = globalThis as { [LOADED]?: LoadedState };

/** The engine loaded in this process, if any. */
export function loadedNativeEngine(): NativeEngine | undefined {
  return globalState[LOADED]?.engine;
}

/**
 * Loads a built engine into this process and registers its tfjs backend 'tensorflow' on the
 * same tfjs engine the rest of Strata uses. Idempotent; throws a `StrataError` saying why and
 * what to do when the engine is not built or does not load.
 *
 * @example
 * const engine = await loadNativeEngine('cpu');
 * await tf.setBackend(engine.backendName);
 */
export async function loadNativeEngine(variant: NativeVariant = 'cpu', home: string = nativeHome()): Promise<NativeEngine> {
  const status = nativeEngineStatus(variant, home);
  const loaded = globalState[LOADED];
  if (loaded) {
    if (loaded.dir === status.dir) return loaded.engine;
    throw new StrataError('strategy-unavailable', `The ${loaded.engine.variant} native engine (${loaded.dir}) is already loaded in this process; the ${variant} engine cannot be loaded beside it.`, {
      value: variant,
      fix: 'run each native engine in its own process (one TensorFlow runtime per process).',
    });
  }
  if (status.state !== 'ready') {
    throw new StrataError('strategy-unavailable', `The native engine cannot be used: ${status.reason}`, { value: variant, fix: status.remedy });
  }
  if (tf.engine().registryFactory[NATIVE_BACKEND] !== undefined) {
    throw new StrataError('strategy-unavailable', `A tfjs backend named '${NATIVE_BACKEND}' is already registered (by @tensorflow/tfjs-node or -node-gpu).`, {
      value: NATIVE_BACKEND,
      fix: "use that package's backend, or do not import it in the same process as Strata's native engine.",
    });
  }
  const { manifest, dir } = status;
  const packageDir = join(dir, manifest.packageDir);
  linkJsDependencies(packageDir);
  quietTensorflowLogs();
  const require = createRequire(join(packageDir, 'package.json'));
  let binding: unknown;
  try {
    binding = loadWithTensorflowLevel(manifest.stderrCapture && join(dir, manifest.stderrCapture), () => require(join(dir, manifest.binding)));
  } catch (error) {
    throw new StrataError('strategy-unavailable', `The ${variant} native engine's binding does not load: ${(error as Error).message.split('\n')[0]}`, {
      value: join(dir, manifest.binding),
      fix: `rebuild it against the TensorFlow you have: ${buildCommand(variant)} --force.`,
      cause: error,
    });
  }
  const { NodeJSKernelBackend } = require('./dist/nodejs_kernel_backend.js') as {
    NodeJSKernelBackend: new (binding: unknown, packageName: string) => tf.KernelBackend;
  };
  require('./dist/register_all_kernels.js');
  // Strata's faster kernels and gradients on top of tfjs-node's (kernels/); measured and tested
  // on the CPU engine only, so the CUDA engine keeps tfjs-node's. STRATA_NATIVE_KERNELS=off
  // keeps tfjs-node's alone, to compare or to rule them out.
  if (variant === 'cpu' && process.env[NATIVE_KERNELS_ENV] !== 'off') registerNativeKernels();
  // Priority 0: loading the engine must not change tfjs's default backend; strategies set it.
  tf.registerBackend(NATIVE_BACKEND, () => new NodeJSKernelBackend(binding, variant === 'cuda' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node'), 0);
  const tfVersion = String((binding as { TF_Version?: unknown }).TF_Version ?? manifest.tensorflow.version);
  const engine: NativeEngine = {
    backendName: NATIVE_BACKEND,
    variant,
    description: `TensorFlow ${tfVersion} (tfjs-node ${manifest.tfjsNode} binding, ${variant})`,
    details: {
      tensorflow: tfVersion,
      'tfjs-node-binding': manifest.tfjsNode,
      libraries: manifest.tensorflow.dir,
      engineDir: dir,
    },
    dir,
    manifest,
  };
  globalState[LOADED] = { dir, engine };
  return engine;
}

/**
 * tfjs-node's JavaScript requires '@tensorflow/tfjs' (only for tfjs-core's API) and
 * 'google-protobuf'. Point both at the copies this package resolves, through the engine's own
 * node_modules, so that its kernels register on the tree's single tfjs-core. Symlinks rather
 * than copies: the tree keeps exactly one tfjs-core package.
 */
function linkJsDependencies(packageDir: string): void {
  const here = createRequire(import.meta.url);
  const modules = join(packageDir, 'node_modules');
  ensureSymlink(dirname(here.resolve('@tensorflow/tfjs-core/package.json')), join(modules, '@tensorflow', 'tfjs-core'));
  ensureSymlink(dirname(here.resolve('google-protobuf/package.json')), join(modules, 'google-protobuf'));
  const shim = join(modules, '@tensorflow', 'tfjs', 'index.js');
  const text = "// Written by Strata: tfjs-node's kernels need only tfjs-core's API.\nmodule.exports = require('@tensorflow/tfjs-core');\n";
  if (!existsSync(shim) || readFileSync(shim, 'utf8') !== text) {
    mkdirSync(dirname(shim), { recursive: true });
    writeFileSync(shim, text);
  }
}

function ensureSymlink(target: string, path: string): void {
  let current: string | undefined;
  try {
    current = lstatSync(path).isSymbolicLink() ? readlinkSync(path) : 'not a link';
  } catch {
    current = undefined;
  }
  if (current === target) return;
  if (current !== undefined) rmSync(path, { recursive: true, force: true });
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path, 'dir');
}

