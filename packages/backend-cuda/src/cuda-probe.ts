import { basename, dirname, join } from 'node:path';
import { readdirSync } from 'node:fs';
import type { CudaHost } from './cuda-host.js';

/** Which engine would run: Strata's binding built against a CUDA TensorFlow, or the user's tfjs-node-gpu. */
export type CudaEngineKind = 'strata' | 'tfjs-node-gpu';

/** Why the CUDA strategy cannot run here, one value per remedy. */
export type CudaProblem =
  | 'no-gpu'
  | 'no-engine'
  | 'libraries-missing'
  | 'cuda-missing'
  | 'cuda-version'
  | 'cudnn-missing'
  | 'cudnn-version'
  | 'no-such-device';

export type CudaCheck =
  | {
      readonly ok: true;
      readonly engine: CudaEngineKind;
      readonly gpus: readonly string[];
      readonly device: number;
      readonly cudaLibrary: string;
      readonly cudnnLibrary: string;
    }
  | { readonly ok: false; readonly problem: CudaProblem; readonly reason: string; readonly remedy: string };

/** What an engine needs: CUDA and cuDNN major versions, its TensorFlow libraries, where to look. */
interface Needs {
  readonly engine: CudaEngineKind;
  readonly cuda: string;
  readonly cudnn: string;
  readonly tensorflow: string;
  readonly libraries: readonly string[];
  readonly searchDirs: readonly string[];
  readonly installCuda: string;
}

const BUILD_CUDA_ENGINE =
  "build the CUDA engine: python3 -m venv .venv-cuda && .venv-cuda/bin/pip install 'tensorflow[and-cuda]==2.21.0' && npx strata-native build --cuda --python .venv-cuda/bin/python";
const OTHER_STRATEGY = "or train on another strategy (new Trainer({ strategy: 'cpu' }) or STRATA_STRATEGY=cpu; 'auto' skips cuda).";

/** What both CUDA engines say on a machine without an NVIDIA GPU. */
export const NO_GPU_REASON = 'no NVIDIA GPU found (no /proc/driver/nvidia/gpus, nvidia-smi lists none).';

/**
 * Decides, from the facts a `CudaHost` gives, whether the CUDA strategy can run and if not,
 * why and what to do: no GPU, no engine built, its libraries missing, CUDA or cuDNN missing
 * or of the wrong version, or no such device. Cheap: it loads nothing.
 *
 * @example
 * const check = new CudaProbe(new SystemCudaHost()).check(0);
 * if (!check.ok) console.error(`${check.reason} Fix: ${check.remedy}`);
 */
export class CudaProbe {
  constructor(private readonly host: CudaHost) {}

  check(device = 0): CudaCheck {
    const gpus = this.host.gpus();
    if (gpus.length === 0) {
      return fail('no-gpu', NO_GPU_REASON, `run on a machine with an NVIDIA GPU and its driver, ${OTHER_STRATEGY}`);
    }
    const needs = this.needs();
    if ('problem' in needs) return needs;
    const missing = needs.libraries.filter((path) => !this.host.exists(path));
    if (missing.length > 0) {
      return fail('libraries-missing', `the TensorFlow libraries of the ${needs.engine} engine are missing: ${missing.join(', ')}.`, needs.engine === 'strata' ? `reinstall that TensorFlow, or rebuild: npx strata-native build --cuda --force.` : 'reinstall @tensorflow/tfjs-node-gpu with its install script (it downloads libtensorflow), or ' + BUILD_CUDA_ENGINE + '.');
    }
    if (this.host.findLibraries('libcuda.so', needs.searchDirs).length === 0) {
      return fail('cuda-missing', `the NVIDIA driver's libcuda.so.1 is not on the library path, though ${gpus.length} GPU(s) are listed.`, 'install the NVIDIA driver libraries (or run the container with --gpus all), or add their folder to LD_LIBRARY_PATH.');
    }
    const cuda = this.library('libcudart.so', needs.cuda, needs.searchDirs);
    if (!cuda.ok) {
      const what = `the CUDA ${needs.cuda} runtime (libcudart.so.${needs.cuda}) that TensorFlow ${needs.tensorflow} needs`;
      return cuda.found.length === 0
        ? fail('cuda-missing', `${what} is not found.`, needs.installCuda)
        : fail('cuda-version', `${what} is not found; found CUDA of another version: ${cuda.found.join(', ')}.`, needs.installCuda);
    }
    const cudnn = this.library('libcudnn.so', needs.cudnn, needs.searchDirs);
    if (!cudnn.ok) {
      const what = `cuDNN ${needs.cudnn} (libcudnn.so.${needs.cudnn}) that TensorFlow ${needs.tensorflow} needs`;
      return cudnn.found.length === 0
        ? fail('cudnn-missing', `${what} is not found.`, needs.installCuda)
        : fail('cudnn-version', `${what} is not found; found cuDNN of another version: ${cudnn.found.join(', ')}.`, needs.installCuda);
    }
    if (!Number.isInteger(device) || device < 0 || device >= gpus.length) {
      return fail('no-such-device', `GPU ${device} was asked for; this machine has ${gpus.length}: ${gpus.map((name, i) => `${i}: ${name}`).join(', ')}.`, `pick a device from 0 to ${gpus.length - 1}.`);
    }
    return { ok: true, engine: needs.engine, gpus, device, cudaLibrary: cuda.path, cudnnLibrary: cudnn.path };
  }

  /** The engine to run on (Strata's own first) and what it needs. */
  private needs(): Needs | Extract<CudaCheck, { ok: false }> {
    const status = this.host.engine();
    if (status.state === 'broken') return fail('libraries-missing', status.reason, status.remedy);
    if (status.state === 'ready') {
      const tf = status.manifest.tensorflow;
      const site = dirname(tf.dir);
      return {
        engine: 'strata',
        cuda: major(tf.cudaVersion, '12'),
        cudnn: major(tf.cudnnVersion, '9'),
        tensorflow: tf.version,
        libraries: [tf.ccLibrary, tf.frameworkLibrary],
        // tensorflow[and-cuda] installs CUDA and cuDNN as nvidia-* wheels beside tensorflow/.
        searchDirs: nvidiaWheelDirs(site),
        installCuda: `install the CUDA ${major(tf.cudaVersion, '12')} and cuDNN ${major(tf.cudnnVersion, '9')} wheels into the engine's Python (pip install 'tensorflow[and-cuda]==${tf.version}'), or install them system-wide and add their lib folder to LD_LIBRARY_PATH.`,
      };
    }
    const gpuPackage = this.host.tfjsNodeGpu();
    if (gpuPackage !== undefined) {
      // tfjs-node-gpu 4.x links libtensorflow 2.9.1, built for CUDA 11.2 and cuDNN 8.1.
      return {
        engine: 'tfjs-node-gpu',
        cuda: '11',
        cudnn: '8',
        tensorflow: '2.9.1',
        libraries: [join(gpuPackage, 'deps', 'lib', 'libtensorflow.so.2')],
        searchDirs: [join(gpuPackage, 'deps', 'lib')],
        installCuda: `tfjs-node-gpu needs CUDA 11.2 and cuDNN 8.1 on LD_LIBRARY_PATH; or ${BUILD_CUDA_ENGINE} (CUDA 12 from pip).`,
      };
    }
    return fail('no-engine', `no CUDA engine: none built at ${status.dir}, and @tensorflow/tfjs-node-gpu is not installed.`, `${BUILD_CUDA_ENGINE}; ${OTHER_STRATEGY}`);
  }

  /** The library `prefix` of major version `want`, or the versions found instead. */
  private library(prefix: string, want: string, dirs: readonly string[]): { ok: true; path: string } | { ok: false; found: string[] } {
    const found = this.host.findLibraries(prefix, dirs).filter((path) => /^\.\d+/.test(basename(path).slice(prefix.length)));
    const match = found.find((path) => basename(path).slice(prefix.length).split('.')[1] === want);
    return match ? { ok: true, path: match } : { ok: false, found };
  }
}

function fail(problem: CudaProblem, reason: string, remedy: string): Extract<CudaCheck, { ok: false }> {
  return { ok: false, problem, reason, remedy };
}

function major(version: string | undefined, fallback: string): string {
  return version?.split('.')[0] || fallback;
}

/** The lib folders of the nvidia-* wheels in a site-packages folder. */
function nvidiaWheelDirs(site: string): string[] {
  try {
    return readdirSync(join(site, 'nvidia')).map((name) => join(site, 'nvidia', name, 'lib'));
  } catch {
    return [];
  }
}
