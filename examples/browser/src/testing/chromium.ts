// Finding and launching the Chromium the browser tests drive: headless, with WebGPU on
// SwiftShader (shipped with Chromium) so that it runs without a GPU.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/** The Chromium binary: STRATA_CHROMIUM, else the first of the usual names on PATH. */
export function findChromium(): string | undefined {
  if (process.env.STRATA_CHROMIUM) return process.env.STRATA_CHROMIUM;
  const dirs = (process.env.PATH ?? '').split(delimiter);
  for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
    for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Why the browser tests cannot run here, or undefined when they can. */
export function noBrowserReason(binary: string | undefined): string | undefined {
  return binary ? undefined : 'no Chromium found (bash scripts/setup.sh --with-browser installs it; or set STRATA_CHROMIUM to a Chrome binary)';
}

/** Starts headless Chromium with WebGPU on SwiftShader, driven over the DevTools protocol. */
export function launchChromium(binary: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: binary,
    headless: true,
    // A training step on SwiftShader can hold the page's thread for a while.
    protocolTimeout: 300_000,
    args: [
      '--no-sandbox', // CI runs as root
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-vulkan=swiftshader',
      '--use-webgpu-adapter=swiftshader',
      '--use-angle=swiftshader',
    ],
  });
}
