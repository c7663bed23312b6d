import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createStrata, StrataError } from '@strata/core';
import cpuModule from '@strata/backend-cpu';
import cudaModule from './cuda-module.js';
import { CudaStrategy } from './cuda-strategy.js';
import { SystemCudaHost } from './system-cuda-host.js';

const gpus = new SystemCudaHost().gpus();
const hasGpu = gpus.length > 0 ? `this machine has a GPU (${gpus[0]}): the no-GPU path is not observable here` : false;

const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('CudaStrategy', () => {
  it('rejects a device index that is not a non-negative integer, quoting it', () => {
    assert.throws(() => new CudaStrategy({ device: -1 }), /Invalid option CudaStrategy device: received -1/);
    assert.throws(() => new CudaStrategy({ device: 1.5 }), StrataError);
  });

  it('on a machine without a GPU: unavailable at once, with the reason and the remedy', { skip: hasGpu }, async () => {
    const started = performance.now();
    const availability = await new CudaStrategy().isAvailable();
    assert.ok(performance.now() - started < 2000, 'the probe must be cheap');
    assert.equal(availability.available, false);
    assert.ok(!availability.available && /no NVIDIA GPU found/.test(availability.reason));
    assert.ok(!availability.available && /strategy: 'cpu'/.test(availability.remedy));
  });

  it("'--strategy cuda' fails at once with the reason and remedy; 'auto' skips cuda and says why", { skip: hasGpu }, async () => {
    const nativeDir = tempDir('strata-native-');
    const strategyOptions = { cuda: { nativeDir }, cpu: { engine: 'js' } };
    await assert.rejects(createStrata({ strategy: 'cuda', modules: [cpuModule, cudaModule], strategyOptions }), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.equal(e.kind, 'strategy-unavailable');
      assert.match(e.message, /Strategy "cuda" is not available here: no NVIDIA GPU found.*Fix: run on a machine with an NVIDIA GPU/);
      return true;
    });
    const auto = await createStrata({ strategy: 'auto', modules: [cpuModule, cudaModule], strategyOptions });
    assert.equal(auto.strategy.name, 'cpu');
    assert.deepEqual(auto.skipped.map((s) => s.name), ['cuda']);
    assert.match(auto.skipped[0].reason, /no NVIDIA GPU found/);
  });

  it('setup() throws the same reason where the probe fails', { skip: hasGpu }, async () => {
    await assert.rejects(new CudaStrategy().setup(), /not available here: no NVIDIA GPU found/);
  });
});
