// WebGpuStrategy in a browser: bundles browser/webgpu-page.ts, serves it on loopback and opens
// it in headless Chromium, whose WebGPU runs on SwiftShader (shipped with Chromium) without a GPU.
// Skips, saying how to run it, where no Chromium is installed (STRATA_CHROMIUM names one),
// except in CI (CI set), where a missing browser fails the test.
import { strict as assert } from 'node:assert';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { bundlePage, NO_CHROMIUM } from './browser/bundle-page.js';
import { findChromium, runInChromium, WEBGPU_ON_SWIFTSHADER, type ServedFile } from './browser/run-in-chromium.js';

const TIMEOUT_MS = 150_000;

const chromium = findChromium();
const noBrowser = chromium ? undefined : NO_CHROMIUM;
const inCi = Boolean(process.env.CI);
if (noBrowser && !inCi) console.log(`skipping the browser test: ${noBrowser}`);

/** Opens the page in Chromium with WebGPU on SwiftShader and resolves with what it posts to /result. */
async function runInBrowser(script: string, binary: string): Promise<Record<string, unknown>> {
  const files = new Map<string, ServedFile>([
    ['/', { body: '<!doctype html><script type="module" src="/page.js"></script>', type: 'text/html' }],
    ['/page.js', { body: script, type: 'text/javascript' }],
  ]);
  return runInChromium(binary, files, TIMEOUT_MS, WEBGPU_ON_SWIFTSHADER);
}

describe('WebGpuStrategy in a browser (navigator.gpu)', { skip: inCi ? false : noBrowser }, () => {
  it('trains on navigator.gpu like the CPU backend, reads asynchronously, and fails the step on a GPU error', { timeout: TIMEOUT_MS + 30_000 }, async () => {
    if (noBrowser) assert.fail(`CI is set and the browser test cannot run: ${noBrowser}`);
    const result = await runInBrowser(await bundlePage('./browser/webgpu-page.ts', dirname(fileURLToPath(import.meta.url))), chromium!);
    assert.equal(result.error, undefined, String(result.error));
    assert.deepEqual((result.availability as { available: boolean }).available, true, JSON.stringify(result.availability));
    const report = result.describe as { details: Record<string, string>; engine: string };
    assert.equal(report.details.runtime, 'browser navigator.gpu', JSON.stringify(report));
    assert.equal(report.details.dawnBackend, undefined);
    // Chromium was told to use SwiftShader: the strategy must see a software adapter.
    assert.equal(report.details.software, 'true', JSON.stringify(report.details));
    assert.match(report.engine, /swiftshader/i);
    assert.equal(result.syncReads, false);
    const cpu = result.cpuLosses as number[];
    const gpu = result.webgpuLosses as number[];
    console.log(`browser (${report.engine}) losses: ${gpu.map((l) => l.toFixed(5)).join(' ')}; cpu: ${cpu.map((l) => l.toFixed(5)).join(' ')}`);
    assert.ok(gpu[gpu.length - 1] < gpu[0], `loss did not fall: ${gpu}`);
    gpu.forEach((l, i) => assert.ok(Math.abs(l - cpu[i]) <= 2e-3, `step ${i}: ${gpu} vs ${cpu}`));
    const broken = result.brokenShader as { kind: string; message: string };
    assert.equal(broken.kind, 'device-error', JSON.stringify(result.brokenShader));
    assert.match(broken.message, /this_is_not_wgsl/);
  });
});
