import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { probeAdapter, summaryOf, type AdapterSummary, type MissingAdapter } from './adapter-probe.js';
import type { WebGpuStrategyOptions } from './webgpu-options.js';

/** A Dawn probe's outcome, and what Dawn printed while it ran. */
export interface QuietProbe {
  readonly outcome: AdapterSummary | MissingAdapter;
  /** Dawn's own stderr output during the probe (warnings from native code), kept, not printed. */
  readonly dawnLog: string;
  /** Where the probe ran: a child process, or this one where the child's script is absent (a bundle). */
  readonly ranIn: 'child process' | 'this process';
}

/** Longest a probe may take; Dawn answers in well under a second where a driver is sane. */
const PROBE_TIMEOUT_MS = 60_000;

/**
 * Probes WebGPU through Dawn in a child Node process and returns what it found, with Dawn's
 * stderr output kept as text: Dawn writes its warnings from native code, straight to the
 * process's stderr, so only another process keeps them off the user's terminal. Where the
 * child's script is not on disk (a bundle of this package), probes in this process instead.
 * Never throws.
 *
 * @example
 * const { outcome, dawnLog } = await probeDawnQuietly({});
 * if (!outcome.found) console.error(outcome.reason, outcome.remedy, dawnLog);
 */
export async function probeDawnQuietly(options: WebGpuStrategyOptions, timeoutMs = PROBE_TIMEOUT_MS): Promise<QuietProbe> {
  const script = childScript();
  if (script === undefined) return { outcome: summaryOf(await probeAdapter(options)), dawnLog: '', ranIn: 'this process' };
  const { backend, adapterIndex, powerPreference } = options;
  const run = await runChild(script, JSON.stringify({ backend, adapterIndex, powerPreference }), timeoutMs);
  const line = run.stdout.trim().split('\n').pop() ?? '';
  let outcome: AdapterSummary | MissingAdapter;
  try {
    outcome = JSON.parse(line) as AdapterSummary | MissingAdapter;
  } catch {
    const why = run.timedOut ? `took longer than ${timeoutMs / 1000} s` : run.signal ? `ended by signal ${run.signal}` : `exited with code ${String(run.code)} and no result`;
    const tail = run.stderr.trim().split('\n').slice(-3).join(' | ');
    outcome = {
      found: false,
      reason: `probing WebGPU through Dawn (in a child process) ${why}${tail ? `; Dawn printed: ${tail}` : ''}.`,
      remedy: 'update the GPU driver, or choose a Dawn backend that works here (the backend option, e.g. opengl); STRATA_DEBUG=1 prints the whole probe log.',
    };
  }
  return { outcome, dawnLog: run.stderr, ranIn: 'child process' };
}

/** The compiled child entry next to this module; from TypeScript sources, the package's dist/ copy. */
function childScript(): string | undefined {
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL('../dist/dawn-probe-child.js', here) : new URL('./dawn-probe-child.js', here);
  if (url.protocol !== 'file:') return undefined;
  const path = fileURLToPath(url);
  return existsSync(path) ? path : undefined;
}

interface ChildRun {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
}

function runChild(script: string, optionsJson: string, timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, optionsJson], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ stdout, stderr: `${stderr}${error.message}\n`, code: null, signal: null, timedOut });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal, timedOut });
    });
  });
}
