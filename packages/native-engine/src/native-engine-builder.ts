import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { StrataError, quote } from '@strata/core';
import { engineDir, nativeHome, type NativeVariant } from './native-home.js';
import { MANIFEST_FORMAT, readManifest, writeManifest, type NativeManifest } from './native-manifest.js';
import { locateNodeGyp } from './node-gyp.js';
import { STDERR_CAPTURE, buildStderrCapture } from './stderr-capture.js';
import { locateTensorflow, type LocateOptions } from './tensorflow-locator.js';
import type { TensorflowLibraries } from './tensorflow-libraries.js';

/** The tfjs-node release whose binding sources Strata compiles; pinned with the rest of tfjs. */
export const TFJS_NODE_VERSION = '4.22.0';
/** The N-API version the binding is built for (tfjs-node's highest). */
const NAPI_VERSION = '8';
const BINDING = join('lib', `napi-v${NAPI_VERSION}`, 'tfjs_binding.node');

export interface BuildOptions extends LocateOptions {
  /** 'cpu' (default) or 'cuda': the engine to build; 'cuda' needs a CUDA build of TensorFlow. */
  readonly variant?: NativeVariant;
  /** Where engines live; default `nativeHome()`. */
  readonly home?: string;
  /** A local `@tensorflow/tfjs-node` tarball, instead of fetching it with `npm pack`. */
  readonly tarball?: string;
  /** Rebuild even when an engine built from the same libraries exists. */
  readonly force?: boolean;
  /** Parallel compile jobs; default the number of CPUs. */
  readonly jobs?: number;
  /** Progress lines; default none. */
  readonly log?: (line: string) => void;
}

export interface BuildReport {
  /** The engine folder. */
  readonly dir: string;
  readonly manifest: NativeManifest;
  /** True when an existing engine was kept because nothing it depends on changed. */
  readonly reused: boolean;
  /** The build log (compiler output). */
  readonly logFile: string;
}

/**
 * Builds tfjs-node's native binding from its shipped C++ sources against the TensorFlow
 * libraries of a wheel (or libtensorflow archive) already on disk: no libtensorflow download.
 * The result lives in `<home>/<variant>/` with a manifest.json that says what was built.
 *
 * @example
 * const report = await new NativeEngineBuilder({ python: '.venv/bin/python', log: console.log }).build();
 * console.log(report.manifest.tensorflow.version); // '2.21.0'
 */
export class NativeEngineBuilder {
  constructor(private readonly options: BuildOptions = {}) {}

  async build(): Promise<BuildReport> {
    const variant = this.options.variant ?? 'cpu';
    const say = this.options.log ?? (() => {});
    const libraries = locateTensorflow(this.options);
    say(`TensorFlow libraries: ${libraries.dir} (${libraries.source}${libraries.version ? `, ${libraries.distribution ?? 'tensorflow'} ${libraries.version}` : ''})`);
    if (variant === 'cuda' && !libraries.cudaBuild) {
      throw new StrataError('strategy-unavailable', `The TensorFlow at ${quote(libraries.dir)} is not a CUDA build, so no CUDA engine can be built from it.`, {
        value: libraries.dir,
        fix: 'install the CUDA wheel in a Python environment (python -m pip install "tensorflow[and-cuda]==2.21.0") and pass --python <that python>.',
      });
    }
    const home = this.options.home ?? nativeHome();
    const dir = engineDir(variant, home);
    const previous = readManifest(dir);
    if (!this.options.force && previous && this.isCurrent(previous, libraries, dir)) {
      say(`up to date: ${dir}`);
      return { dir, manifest: previous, reused: true, logFile: join(dir, 'build.log') };
    }

    const nodeGyp = locateNodeGyp();
    const started = Date.now();
    const staging = `${dir}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const logFile = join(staging, 'build.log');
    writeFileSync(logFile, '');
    try {
      const tarball = this.options.tarball ?? (await this.fetchTarball(home, logFile, say));
      say(`unpacking ${tarball}`);
      await run('tar', ['xzf', tarball, '-C', staging], staging, logFile);
      const packageDir = join(staging, 'package');
      linkLibraries(packageDir, libraries);
      say(`compiling the binding with node-gyp (${nodeGyp.source === 'npm' ? "npm's" : "the project's"}: ${nodeGyp.script}; ${this.options.jobs ?? availableParallelism()} jobs)`);
      await run(process.execPath, nodeGypArgs(nodeGyp.script, this.options.jobs), packageDir, logFile);
      mkdirSync(dirname(join(packageDir, BINDING)), { recursive: true });
      copyFileSync(join(packageDir, 'build', 'Release', 'tfjs_binding.node'), join(packageDir, BINDING));
      rmSync(join(packageDir, 'build'), { recursive: true, force: true });
      say('compiling the stderr-capture addon (it keeps TensorFlow\'s load-time log lines to TF_CPP_MIN_LOG_LEVEL)');
      const stderrCapture = await buildStderrCapture(staging, (folder) => run(process.execPath, [nodeGyp.script, 'rebuild', ...nodeDirArgs()], folder, logFile).then(() => {}));
      const tfVersion = await verifyBinding(join(packageDir, BINDING), logFile);
      say(`the binding loads: TensorFlow ${tfVersion}`);
      const manifest: NativeManifest = {
        format: MANIFEST_FORMAT,
        variant,
        tfjsNode: TFJS_NODE_VERSION,
        tensorflow: {
          version: tfVersion,
          dir: libraries.dir,
          source: libraries.source,
          ccLibrary: libraries.ccLibrary,
          frameworkLibrary: libraries.frameworkLibrary,
          fingerprint: fingerprint(libraries.ccLibrary),
          cudaBuild: libraries.cudaBuild,
          ...(libraries.cudaVersion ? { cudaVersion: libraries.cudaVersion } : {}),
          ...(libraries.cudnnVersion ? { cudnnVersion: libraries.cudnnVersion } : {}),
        },
        binding: join('package', BINDING),
        stderrCapture,
        packageDir: 'package',
        node: { version: process.version, napi: NAPI_VERSION },
        builtAt: new Date().toISOString(),
        buildSeconds: Math.round((Date.now() - started) / 100) / 10,
      };
      writeManifest(staging, manifest);
      replaceDir(staging, dir);
      say(`built ${variant} engine in ${manifest.buildSeconds} s: ${dir}`);
      return { dir, manifest, reused: false, logFile: join(dir, 'build.log') };
    } catch (error) {
      // Keep the log where the user can read it; drop the half-built tree.
      const kept = `${dir}.failed.log`;
      try {
        mkdirSync(dirname(kept), { recursive: true });
        copyFileSync(logFile, kept);
      } catch {
        /* the error below says enough */
      }
      rmSync(staging, { recursive: true, force: true });
      if (error instanceof StrataError) throw error;
      throw new StrataError('strategy-unavailable', `Building the native engine failed: ${(error as Error).message}`, {
        value: variant,
        fix: `read the full log at ${kept}. Fetching needs the npm registry (or --tarball <tensorflow-tfjs-node-${TFJS_NODE_VERSION}.tgz>); compiling needs g++, make and python3 (apt-get install g++ make python3). Any engine built before is kept.`,
        cause: error,
      });
    }
  }

  /** An engine is current when it was built by this format, for this Node-API, from the same library file. */
  private isCurrent(manifest: NativeManifest, libraries: TensorflowLibraries, dir: string): boolean {
    return (
      manifest.tfjsNode === TFJS_NODE_VERSION &&
      manifest.node.napi === NAPI_VERSION &&
      manifest.tensorflow.ccLibrary === libraries.ccLibrary &&
      manifest.tensorflow.fingerprint === fingerprint(libraries.ccLibrary) &&
      existsSync(join(dir, manifest.binding)) &&
      manifest.stderrCapture === STDERR_CAPTURE &&
      existsSync(join(dir, manifest.stderrCapture))
    );
  }

  /** `npm pack` of the pinned tfjs-node into `<home>/cache`, once. */
  private async fetchTarball(home: string, logFile: string, say: (line: string) => void): Promise<string> {
    const cache = join(home, 'cache');
    const file = join(cache, `tensorflow-tfjs-node-${TFJS_NODE_VERSION}.tgz`);
    if (existsSync(file)) return file;
    mkdirSync(cache, { recursive: true });
    say(`fetching @tensorflow/tfjs-node@${TFJS_NODE_VERSION} sources (npm pack)`);
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    await run(npm, ['pack', `@tensorflow/tfjs-node@${TFJS_NODE_VERSION}`, '--pack-destination', cache, '--silent'], cache, logFile);
    if (!existsSync(file)) {
      throw new StrataError('strategy-unavailable', `npm pack did not produce ${quote(file)} (found ${readdirSync(cache).join(', ') || 'nothing'}).`, {
        fix: 'check that the npm registry is reachable, or pass --tarball <path to tensorflow-tfjs-node-4.22.0.tgz>.',
      });
    }
    return file;
  }
}

/**
 * tfjs-node's binding.gyp links `-ltensorflow -ltensorflow_framework` from deps/lib with an
 * rpath of `$ORIGIN/../../deps/lib`, and includes deps/include: point those at the wheel.
 */
function linkLibraries(packageDir: string, libraries: TensorflowLibraries): void {
  const lib = join(packageDir, 'deps', 'lib');
  mkdirSync(lib, { recursive: true });
  symlinkSync(libraries.includeDir, join(packageDir, 'deps', 'include'));
  for (const name of ['libtensorflow.so', 'libtensorflow.so.2', 'libtensorflow_cc.so.2']) {
    symlinkSync(libraries.ccLibrary, join(lib, name));
  }
  for (const name of ['libtensorflow_framework.so', 'libtensorflow_framework.so.2']) {
    symlinkSync(libraries.frameworkLibrary, join(lib, name));
  }
}

function nodeGypArgs(nodeGyp: string, jobs?: number): string[] {
  const args = [
    nodeGyp,
    'rebuild',
    '--module_name=tfjs_binding',
    `--module_path=lib/napi-v${NAPI_VERSION}`,
    `--napi_build_version=${NAPI_VERSION}`,
    `--jobs=${jobs ?? availableParallelism()}`,
  ];
  return [...args, ...nodeDirArgs()];
}

/**
 * Node's own headers, when installed beside it (Debian, nvm, the official tarballs): node-gyp
 * would otherwise download them, and the build must work offline.
 */
function nodeDirArgs(): string[] {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

/** Loads the binding in a child process (so a crash cannot take the builder down) and returns TF_Version. */
async function verifyBinding(binding: string, logFile: string): Promise<string> {
  const script = 'const b = require(process.argv[1]); process.stdout.write(String(b.TF_Version));';
  const out = await run(process.execPath, ['-e', script, binding], dirname(binding), logFile, { TF_CPP_MIN_LOG_LEVEL: '2' });
  const version = out.trim().split('\n').pop() ?? '';
  if (!/^\d+\.\d+/.test(version)) {
    throw new StrataError('strategy-unavailable', `The built binding loaded but reported TF_Version ${quote(version)}.`, {
      fix: 'rebuild with --force; if it persists, the libraries are not a TensorFlow C API build.',
    });
  }
  return version;
}

/**
 * Puts the new engine in place. Where another build finished first (two setups at once), its
 * engine is as good as ours: keep it.
 */
function replaceDir(staging: string, dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(staging, dir);
  } catch (error) {
    if (!readManifest(dir)) throw error;
    rmSync(staging, { recursive: true, force: true });
  }
}

function fingerprint(path: string): string {
  const stat = statSync(path);
  return `${stat.size}:${Math.round(stat.mtimeMs)}`;
}

/** Runs a command, appending its output to the log; resolves with stdout, rejects with the log's tail. */
function run(command: string, args: string[], cwd: string, logFile: string, env: Record<string, string> = {}): Promise<string> {
  appendFileSync(logFile, `$ ${command} ${args.join(' ')}\n`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let tail = '';
    const keep = (chunk: Buffer): void => {
      appendFileSync(logFile, chunk);
      tail = (tail + chunk.toString()).slice(-2000);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      keep(chunk);
    });
    child.stderr.on('data', keep);
    child.on('error', (error) => reject(new Error(`${command} could not start: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolvePromise(stdout);
      else reject(new Error(`${[command, ...args].join(' ').slice(0, 240)} exited with ${code ?? signal}:\n${tail.trim()}`));
    });
  });
}
