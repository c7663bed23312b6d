// Serves a set of files on loopback, opens the first page in headless Chromium, and resolves
// with the JSON the page posts to /result. Chromium's own WebGPU runs on SwiftShader, so no GPU
// is needed. Used by the browser tests of this workspace.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A file the server answers with: its bytes and content type. */
export interface ServedFile {
  readonly body: string | Uint8Array;
  readonly type: string;
}

/** The Chromium binary: STRATA_CHROMIUM, else the first chromium or chrome on the PATH. */
export function findChromium(): string | undefined {
  if (process.env.STRATA_CHROMIUM) return process.env.STRATA_CHROMIUM;
  const dirs = (process.env.PATH ?? '').split(delimiter);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Chromium flags that turn WebGPU on over SwiftShader's Vulkan, for pages that need navigator.gpu. */
export const WEBGPU_ON_SWIFTSHADER: readonly string[] = [
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader',
];

async function stopBrowser(browser: ChildProcess | undefined): Promise<void> {
  if (!browser || browser.exitCode !== null || browser.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => browser.once('exit', () => resolve()));
  browser.kill();
  const kill = setTimeout(() => browser.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(kill);
}

/**
 * Serves `files` (by URL path, '/' included), opens '/', and resolves with the page's POST to
 * /result. `flags`: more Chromium flags (WEBGPU_ON_SWIFTSHADER for navigator.gpu).
 */
export async function runInChromium(binary: string, files: ReadonlyMap<string, ServedFile>, timeoutMs: number, flags: readonly string[] = []): Promise<Record<string, unknown>> {
  const profile = mkdtempSync(join(tmpdir(), 'strata-chromium-'));
  let server: Server | undefined;
  let browser: ChildProcess | undefined;
  let stderr = '';
  try {
    return await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no result from the page within ${timeoutMs} ms; Chromium said:\n${stderr.slice(-3000)}`)), timeoutMs);
      server = createServer((request, response) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        if (request.method === 'POST' && path === '/result') {
          let body = '';
          request.on('data', (chunk: Buffer) => (body += chunk.toString()));
          request.on('end', () => {
            response.end();
            clearTimeout(timer);
            resolve(JSON.parse(body) as Record<string, unknown>);
          });
          return;
        }
        const file = files.get(path);
        if (file === undefined) {
          response.statusCode = 404;
          response.end('not found');
          return;
        }
        response.setHeader('content-type', file.type);
        response.end(file.body);
      });
      server.listen(0, '127.0.0.1', () => {
        const address = server!.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        browser = spawn(
          binary,
          ['--headless=new', '--no-sandbox', '--no-first-run', `--user-data-dir=${profile}`, '--use-angle=swiftshader', ...flags, `http://127.0.0.1:${port}/`],
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
    // Chromium's helpers may still write the profile for a moment after the main process exits.
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}
