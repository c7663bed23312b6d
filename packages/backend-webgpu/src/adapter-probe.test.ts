import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { probeAdapter, probeNavigatorGpu } from './adapter-probe.js';
import { createDawnGpu, listDawnAdapters, loadDawn } from './dawn-runtime.js';

const found = await probeAdapter({});
const noGpu = found.found ? undefined : `no WebGPU adapter here: ${found.reason} Fix: ${found.remedy}`;
if (noGpu) console.log(`skipping adapter tests: ${noGpu}`);

describe('the browser path (navigator.gpu)', () => {
  it('without navigator.gpu says so and names browsers that have it', async () => {
    const result = await probeNavigatorGpu(undefined, {});
    assert.equal(result.found, false);
    if (!result.found) {
      assert.match(result.reason, /navigator\.gpu/);
      assert.match(result.remedy, /Chrome/);
    }
  });

  it('finds the adapter of a WebGPU implementation (Dawn standing in for the browser)', { skip: noGpu }, async () => {
    const dawnBackend = found.found && found.dawnBackend !== 'default' ? found.dawnBackend : undefined;
    const gpu = createDawnGpu(await loadDawn(), dawnBackend);
    const result = await probeNavigatorGpu(gpu, { powerPreference: 'low-power' });
    assert.equal(result.found, true, JSON.stringify(result));
    if (result.found) {
      assert.equal(result.runtime, 'browser');
      assert.equal(result.dawnBackend, undefined);
      assert.ok(result.info.device.length + result.info.description.length > 0);
    }
  });

  it('refuses the Node-only options instead of ignoring them', async () => {
    const gpu = { requestAdapter: async () => null } as unknown as GPU;
    const result = await probeNavigatorGpu(gpu, { backend: 'vulkan' });
    assert.equal(result.found, false);
    if (!result.found) assert.match(result.reason, /only apply in Node/);
  });

  it('reports a browser that returns no adapter', async () => {
    const gpu = { requestAdapter: async () => null } as unknown as GPU;
    const result = await probeNavigatorGpu(gpu, {});
    assert.equal(result.found, false);
    if (!result.found) assert.match(result.reason, /no adapter/);
  });
});

describe('the Node path (Dawn)', { skip: noGpu }, () => {
  it('lists the adapters of the backend in use, and flags software rasterizers', async () => {
    assert.ok(found.found);
    const dawnBackend = found.dawnBackend === 'default' ? undefined : found.dawnBackend;
    const names = await listDawnAdapters(await loadDawn(), dawnBackend);
    assert.ok(names.length >= 1, `no adapters listed for ${String(dawnBackend)}`);
    assert.equal(found.software, /llvmpipe|lavapipe|softpipe|swiftshader/i.test(`${found.info.vendor} ${found.info.architecture} ${found.info.device} ${found.info.description}`) || found.info.isFallbackAdapter === true);
    assert.ok(['core', 'compatibility'].includes(found.featureLevel));
  });
});
