import { probeAdapter, summaryOf } from './adapter-probe.js';
import type { QuietProbe } from './quiet-dawn-probe.js';
import type { WebGpuStrategyOptions } from './webgpu-options.js';

export type { QuietProbe };

/**
 * The browser twin of the Dawn probe: a page probes `navigator.gpu` in its own process (no
 * child process, no Dawn), with nothing printed to keep apart. `_timeoutMs` is the Node
 * probe's and unused here. Never throws.
 */
export async function probeDawnQuietly(options: WebGpuStrategyOptions, _timeoutMs?: number): Promise<QuietProbe> {
  return { outcome: summaryOf(await probeAdapter(options)), dawnLog: '', ranIn: 'this process' };
}
