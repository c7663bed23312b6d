import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keptTensorflowOutput } from './tensorflow-log-level.js';

/** The stderr-capture addon's sources (native/stderr-capture), shipped with this package. */
const SOURCES = fileURLToPath(new URL('../native/stderr-capture/', import.meta.url));
/** The built addon, relative to the engine folder. */
export const STDERR_CAPTURE = join('stderr-capture', 'stderr_capture.node');

interface StderrCapture {
  begin(): void;
  end(): string;
}

/**
 * Builds the stderr-capture addon into `<engineDir>/stderr-capture` with `compile(folder)` (a
 * node-gyp rebuild in that folder); returns STDERR_CAPTURE.
 */
export async function buildStderrCapture(engineDir: string, compile: (folder: string) => Promise<void>): Promise<string> {
  const folder = join(engineDir, 'stderr-capture');
  cpSync(SOURCES, folder, { recursive: true });
  await compile(folder);
  cpSync(join(folder, 'build', 'Release', 'stderr_capture.node'), join(engineDir, STDERR_CAPTURE));
  rmSync(join(folder, 'build'), { recursive: true, force: true });
  return STDERR_CAPTURE;
}

/**
 * Runs `load` (the require of TensorFlow's binding) with file descriptor 2 captured, then
 * writes to stderr what TF_CPP_MIN_LOG_LEVEL lets through of it (keptTensorflowOutput):
 * TensorFlow logs from its libraries' initializers before any threshold applies, so this is
 * where its level takes effect for those lines. Without the addon, `load` runs as it is.
 */
export function loadWithTensorflowLevel<T>(addon: string | undefined, load: () => T): T {
  const capture = addon !== undefined && existsSync(addon) ? (createRequire(import.meta.url)(addon) as StderrCapture) : undefined;
  capture?.begin();
  let captured = '';
  try {
    return load();
  } finally {
    if (capture) captured = capture.end();
    const kept = keptTensorflowOutput(captured);
    if (kept) process.stderr.write(kept);
  }
}
