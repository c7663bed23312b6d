import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { CudaProbe, type CudaCheck } from './cuda-probe.js';
import { host, manifest } from './testing/fake-cuda-host.js';

function failure(check: CudaCheck): Extract<CudaCheck, { ok: false }> {
  assert.equal(check.ok, false, JSON.stringify(check));
  return check as Extract<CudaCheck, { ok: false }>;
}

describe('CudaProbe', () => {
  it('passes with a GPU, the engine, its libraries, CUDA 12 and cuDNN 9', () => {
    const check = new CudaProbe(host({})).check(0);
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal(check.engine, 'strata');
    assert.match(check.cudaLibrary, /libcudart\.so\.12$/);
    assert.match(check.cudnnLibrary, /libcudnn\.so\.9$/);
  });

  it('no GPU: says so first, and points at another strategy', () => {
    const f = failure(new CudaProbe(host({ gpus: [], engine: 'absent' })).check(0));
    assert.equal(f.problem, 'no-gpu');
    assert.match(f.reason, /no NVIDIA GPU found/);
    assert.match(f.remedy, /strategy: 'cpu'/);
  });

  it('no engine built and no tfjs-node-gpu: the build command', () => {
    const f = failure(new CudaProbe(host({ engine: 'absent' })).check(0));
    assert.equal(f.problem, 'no-engine');
    assert.match(f.remedy, /tensorflow\[and-cuda\]==2\.21\.0.*npx strata-native build --cuda/);
  });

  it("engine built but the TensorFlow libraries it links are gone: the engine's own remedy", () => {
    const broken = failure(new CudaProbe(host({ engine: 'broken' })).check(0));
    assert.equal(broken.problem, 'libraries-missing');
    assert.match(broken.remedy, /--force/);
    const gone = failure(new CudaProbe(host({ files: [] })).check(0));
    assert.equal(gone.problem, 'libraries-missing');
    assert.ok(gone.reason.includes(manifest.tensorflow.ccLibrary));
  });

  it('falls back to a user-installed tfjs-node-gpu, which needs CUDA 11 and cuDNN 8', () => {
    const pkg = '/app/node_modules/@tensorflow/tfjs-node-gpu';
    const machine = {
      engine: 'absent' as const,
      tfjsNodeGpu: pkg,
      files: [`${pkg}/deps/lib/libtensorflow.so.2`],
      libraries: ['/usr/lib/libcuda.so.1', '/usr/local/cuda/lib64/libcudart.so.11.0', '/usr/lib/libcudnn.so.8'],
    };
    const check = new CudaProbe(host(machine)).check(0);
    assert.ok(check.ok && check.engine === 'tfjs-node-gpu', JSON.stringify(check));
    const noLibtensorflow = failure(new CudaProbe(host({ ...machine, files: [] })).check(0));
    assert.equal(noLibtensorflow.problem, 'libraries-missing');
    assert.match(noLibtensorflow.remedy, /install script/);
  });

  it('CUDA runtime missing, and of the wrong version', () => {
    const missing = failure(new CudaProbe(host({ libraries: ['/usr/lib/libcuda.so.1', '/x/libcudnn.so.9'] })).check(0));
    assert.equal(missing.problem, 'cuda-missing');
    assert.match(missing.reason, /CUDA 12 runtime \(libcudart\.so\.12\).*is not found/);
    assert.match(missing.remedy, /pip install 'tensorflow\[and-cuda\]==2\.21\.0'/);
    const wrong = failure(new CudaProbe(host({ libraries: ['/usr/lib/libcuda.so.1', '/usr/local/cuda/lib64/libcudart.so.11.0', '/x/libcudnn.so.9'] })).check(0));
    assert.equal(wrong.problem, 'cuda-version');
    assert.match(wrong.reason, /found CUDA of another version: \/usr\/local\/cuda\/lib64\/libcudart\.so\.11\.0/);
  });

  it('the driver library missing though GPUs are listed', () => {
    const f = failure(new CudaProbe(host({ libraries: ['/x/libcudart.so.12', '/x/libcudnn.so.9'] })).check(0));
    assert.equal(f.problem, 'cuda-missing');
    assert.match(f.reason, /libcuda\.so\.1/);
  });

  it('cuDNN missing, and of the wrong version', () => {
    const missing = failure(new CudaProbe(host({ libraries: ['/usr/lib/libcuda.so.1', '/x/libcudart.so.12'] })).check(0));
    assert.equal(missing.problem, 'cudnn-missing');
    assert.match(missing.reason, /cuDNN 9 \(libcudnn\.so\.9\)/);
    const wrong = failure(new CudaProbe(host({ libraries: ['/usr/lib/libcuda.so.1', '/x/libcudart.so.12', '/x/libcudnn.so.8.9.7'] })).check(0));
    assert.equal(wrong.problem, 'cudnn-version');
    assert.match(wrong.reason, /libcudnn\.so\.8\.9\.7/);
  });

  it('a device index past the GPUs there are: lists them', () => {
    const f = failure(new CudaProbe(host({ gpus: ['A100', 'A100'] })).check(2));
    assert.equal(f.problem, 'no-such-device');
    assert.match(f.reason, /GPU 2 was asked for; this machine has 2: 0: A100, 1: A100/);
    assert.match(f.remedy, /from 0 to 1/);
    assert.ok(new CudaProbe(host({ gpus: ['A100', 'A100'] })).check(1).ok);
  });
});
