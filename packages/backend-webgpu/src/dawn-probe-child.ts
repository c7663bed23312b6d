// The entry of the child process that probes WebGPU through Dawn: it writes the probe's outcome
// as one JSON line on stdout and exits. WebGpuStrategy probes here, not in its own process,
// because Dawn prints to stderr from native code while it looks for adapters ("Couldn't load
// Vulkan", limits it lowers), which no JavaScript code can catch: the parent keeps that text
// for describe() and STRATA_DEBUG instead of letting it reach the user's terminal.
//   node dawn-probe-child.js '{"backend":"opengl"}'
import { probeAdapter, summaryOf } from './adapter-probe.js';
import type { WebGpuStrategyOptions } from './webgpu-options.js';

const options = JSON.parse(process.argv[2] ?? '{}') as WebGpuStrategyOptions;
const outcome = summaryOf(await probeAdapter(options));
// dawn.node keeps a process alive while a GPU object is referenced: exit once the line is out.
process.stdout.write(`${JSON.stringify(outcome)}\n`, () => process.exit(0));
