// The browser path: bundles src/testing/browser-page.ts, serves it on localhost and opens it
// in headless Chromium, whose WebGPU runs on SwiftShader (shipped with Chromium) without a GPU.
// Skips, saying how to run it, where no Chromium is installed (STRATA_CHROMIUM names one),
// except in CI (CI set), where a missing browser fails the test.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { build } from 'esbuild';

const TIMEOUT_MS = 150_000;

function findChromium(): string | undefined {
  if (process.env.STRATA_CHROMIUM) return process.env.STRATA_CHROMIUM;
  const dirs = (process.env.PATH ?? '').split(delimiter);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

const chromium = findChromium();
const noBrowser = chromium ? undefined : 'no Chromium found (apt-get install chromium, or set STRATA_CHROMIUM to a Chrome binary)';
const inCi = Boolean(process.env.CI);
if (noBrowser && !inCi) console.log(`skipping the browser test: ${noBrowser}`);

async function bundle(): Promise<string> {
  const out = await build({
    entryPoints: [fileURLToPath(new URL('./testing/browser-page.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'error',
    // tfjs-core's package.json lists side-effect files; its registrations must stay.
    ignoreAnnotations: true,
  });
  return out.outputFiles[0].text;
}

/** Ends Chromium and waits for its main process to exit (it closes its profile on the way out). */
async function stopBrowser(browser: ChildProcess | undefined): Promise<void> {
  if (!browser || browser.exitCode !== null || browser.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => browser.once('exit', () => resolve()));
  browser.kill();
  const kill = setTimeout(() => browser.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(kill);
}

/** Serves the page, opens it, and resolves with what the page posts to /result. */
async function runInBrowser(script: string, binary: string): Promise<Record<string, unknown>> {
  const profile = mkdtempSync(join(tmpdir(), 'strata-chromium-'));
  let server: Server | undefined;
  let browser: ChildProcess | undefined;
  let stderr = '';
  try {
    return await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no result from the page within ${TIMEOUT_MS} ms; Chromium said:\n${stderr.slice(-3000)}`)), TIMEOUT_MS);
      server = createServer((request, response) => {
        if (request.method === 'POST' && request.url === '/result') {
          let body = '';
          request.on('data', (chunk: Buffer) => (body += chunk.toString()));
          request.on('end', () => {
            response.end();
            clearTimeout(timer);
            resolve(JSON.parse(body) as Record<string, unknown>);
          });
          return;
        }
        const isScript = request.url === '/page.js';
        response.setHeader('content-type', isScript ? 'text/javascript' : 'text/html');
        response.end(isScript ? script : '<!doctype html><script type="module" src="/page.js"></script>');
      });
      server.listen(0, '127.0.0.1', () => {
        const address = server!.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        browser = spawn(
          binary,
          [
            '--headless=new',
            '--no-sandbox', // CI runs as root
            '--no-first-run',
            `--user-data-dir=${profile}`,
            '--enable-unsafe-webgpu',
            '--enable-features=Vulkan',
            '--use-vulkan=swiftshader',
            '--use-webgpu-adapter=swiftshader',
            '--use-angle=swiftshader',
            `http://127.0.0.1:${port}/`,
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        browser.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        browser.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
    });
  } finally {
    await stopBrowser(browser);
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    // Chromium's helper processes may still be writing the profile for a moment after the main
    // one exits (removing it then fails with ENOTEMPTY): rmSync retries those errors with a
    // backoff.
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

describe('WebGpuStrategy in a browser (navigator.gpu)', { skip: inCi ? false : noBrowser }, () => {
  it('trains on navigator.gpu like the CPU backend, reads asynchronously, and fails the step on a GPU error', { timeout: TIMEOUT_MS + 30_000 }, async () => {
    if (noBrowser) assert.fail(`CI is set and the browser test cannot run: ${noBrowser}`);
    const result = await runInBrowser(await bundle(), chromium!);
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
