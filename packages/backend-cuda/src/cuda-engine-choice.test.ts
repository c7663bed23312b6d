// Which engine the CUDA strategy runs on, decided from a described machine: nothing is
// started, so every situation is checked without a GPU.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError, createStrata } from '@strata/core';
import cpuModule from '@strata/backend-cpu';
import cudaModule from './cuda-module.js';
import { CudaStrategy, type CudaStrategyOptions } from './cuda-strategy.js';
import { host, type Machine } from './testing/fake-cuda-host.js';

const PYTHON = '/venv/bin/python';
const TWO_GPUS = ['NVIDIA A100-SXM4-40GB', 'NVIDIA A100-SXM4-40GB'];

function strategy(machine: Machine, options: CudaStrategyOptions = {}): CudaStrategy {
  return new CudaStrategy({ python: PYTHON, ...options, host: host(machine) });
}

async function unavailable(s: CudaStrategy): Promise<{ reason: string; remedy: string }> {
  const availability = await s.isAvailable();
  assert.equal(availability.available, false, JSON.stringify(availability));
  return availability as { reason: string; remedy: string };
}

describe('CudaStrategy engine choice', () => {
  it("'auto' with jax's CUDA plugin: the XLA engine, all precisions, as many replicas as GPUs", async () => {
    const s = strategy({ gpus: TWO_GPUS }, { devices: -1 });
    assert.equal(s.engineName(), 'xla');
    const availability = await s.isAvailable();
    assert.ok(availability.available && /^XLA:GPU through jax's CUDA plugin \(jax 0\.10\.2\) on 2 GPU\(s\): NVIDIA A100/.test(availability.engine), JSON.stringify(availability));
    assert.deepEqual([...s.capabilities().precisions].sort(), ['16-mixed', '32', 'bf16-mixed']);
    assert.equal(s.capabilities().maxReplicas, 2);
    assert.equal(s.numReplicas, 2);
    assert.equal(s.capabilities().compilesSteps, true);
  });

  it("'auto' without the plugin: the native engine where it is built, one GPU in f32", async () => {
    const s = strategy({ gpus: TWO_GPUS, python: 'jax' });
    assert.equal(s.engineName(), 'native');
    assert.deepEqual(s.capabilities().precisions, ['32']);
    assert.equal(s.capabilities().maxReplicas, 1);
    assert.match((await s.isAvailable() as { engine: string }).engine, /Strata CUDA engine/);
    assert.throws(() => s.setPrecision('bf16-mixed'), (e: unknown) => e instanceof StrataError && e.kind === 'unsupported-precision' && /jax's CUDA plugin/.test(e.message));
  });

  it('neither engine installed: both reasons, and both remedies, the plugin first', async () => {
    const s = strategy({ gpus: TWO_GPUS, python: 'jax', engine: 'absent' });
    assert.equal(s.engineName(), undefined);
    const { reason, remedy } = await unavailable(s);
    assert.match(reason, /no CUDA engine can run: the XLA engine because jax's CUDA plugin is not installed in the Python environment of \/venv\/bin\/python/);
    assert.match(reason, /The native TensorFlow engine because no CUDA engine: none built/);
    assert.match(remedy, /^for the XLA engine .*\/venv\/bin\/python -m pip install "jax\[cuda12\]==0\.10\.2".* For the native engine .*strata-native build --cuda/);
    await assert.rejects(s.setup(), (e: unknown) => e instanceof StrataError && e.kind === 'strategy-unavailable' && /Fix: for the XLA engine/.test(e.message));
  });

  it('several GPUs or 16-bit precision without the plugin: says the native engine cannot, and why', async () => {
    const two = strategy({ gpus: TWO_GPUS, python: 'jax' }, { devices: 2 });
    assert.match((await unavailable(two)).reason, /The native TensorFlow engine because devices: 2 asks for 2 GPUs, and the native TensorFlow engine trains on one/);
    const half = strategy({ gpus: TWO_GPUS, python: 'jax' }, { precision: '16-mixed' });
    assert.match((await unavailable(half)).reason, /precision "16-mixed" needs the XLA engine/);
    const native = strategy({ gpus: TWO_GPUS }, { engine: 'native', devices: 2 });
    await assert.rejects(native.setup(), (e: unknown) => e instanceof StrataError && e.kind === 'unsupported-option');
  });

  it('more GPUs than there are: refused at once, naming how many there are', async () => {
    const s = strategy({ gpus: TWO_GPUS }, { devices: 3 });
    const { reason, remedy } = await unavailable(s);
    assert.match(reason, /devices: 3 was asked for, but this machine has 2 NVIDIA GPU\(s\) visible \(0: NVIDIA A100-SXM4-40GB, 1: NVIDIA A100-SXM4-40GB\)/);
    assert.match(remedy, /devices: 2 or fewer/);
    await assert.rejects(s.setup(), (e: unknown) => e instanceof StrataError && e.kind === 'unsupported-option');
    assert.match((await unavailable(strategy({ gpus: TWO_GPUS }, { device: 1, devices: 2 }))).reason, /1 of them from GPU 1 on/);
  });

  it("the server sees only its GPUs: devices from 'device' on, within CUDA_VISIBLE_DEVICES", () => {
    const four = ['A', 'B', 'C', 'D'];
    assert.equal(strategy({ gpus: four }, { device: 1, devices: 2 }).describe().details.cudaVisibleDevices, '1,2');
    process.env.CUDA_VISIBLE_DEVICES = '3,1';
    try {
      const s = strategy({ gpus: four }, { devices: -1 });
      assert.equal(s.numReplicas, 2);
      assert.equal(s.describe().details.cudaVisibleDevices, '3,1');
      assert.equal(s.describe().details.gpus, 'D, B');
    } finally {
      delete process.env.CUDA_VISIBLE_DEVICES;
    }
  });

  it("'auto' picks cuda on a machine with a usable NVIDIA GPU, over the CPU", async () => {
    const strategyOptions = { cuda: { host: host({ gpus: TWO_GPUS }), python: PYTHON }, cpu: { engine: 'js' } };
    const { strategy, skipped } = await createStrata({ strategy: 'auto', modules: [cpuModule, cudaModule], strategyOptions });
    assert.equal(strategy.name, 'cuda');
    assert.equal((strategy as CudaStrategy).engineName(), 'xla');
    assert.deepEqual(skipped, []);
  });

  it('options are checked when constructed', () => {
    assert.throws(() => new CudaStrategy({ engine: 'tensorrt' as never }), /Invalid option CudaStrategy engine: received "tensorrt"/);
    assert.throws(() => new CudaStrategy({ platform: 'cpu', engine: 'native' }), /the native engine runs only on GPUs/);
    assert.throws(() => new CudaStrategy({ devices: 0 }), /Invalid option CudaStrategy devices: received 0.*or -1 for all/);
    assert.throws(() => new CudaStrategy({ precision: 'fp8' as never }), /Invalid option CudaStrategy precision/);
  });
});
