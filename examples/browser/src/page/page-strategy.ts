import { StrataError, invalidOption, type DistributionStrategy } from '@strata/core';
import { WasmStrategy } from '@strata/backend-wasm';
import { WebGpuStrategy } from '@strata/backend-webgpu';

/** What the page may be asked for: WebGPU where the browser has it else WASM, or one forced. */
export const STRATEGY_REQUESTS = ['auto', 'webgpu', 'wasm'] as const;
export type StrategyRequest = (typeof STRATEGY_REQUESTS)[number];

/** The `?strategy=` value (missing: 'auto'); anything else is refused, naming the choices. */
export function parseStrategyRequest(value: string | null): StrategyRequest {
  if (value === null || value === '') return 'auto';
  if ((STRATEGY_REQUESTS as readonly string[]).includes(value)) return value as StrategyRequest;
  return invalidOption('strategy', value, STRATEGY_REQUESTS.map((s) => JSON.stringify(s)).join(', '));
}

/** The `?trainBatches=` value: a whole number of at least 1, or undefined (every batch) when missing. */
export function parseTrainBatches(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n >= 1) return n;
  return invalidOption('trainBatches', value, 'a whole number of at least 1 (or leave it out to train on every batch)');
}

/** The strategy to train on, and a note when 'auto' fell back to WASM (why WebGPU could not run). */
export interface PageStrategy {
  readonly strategy: DistributionStrategy;
  readonly note?: string;
}

/**
 * Makes the requested strategy: WebGPU on `navigator.gpu`, or WASM with its binaries fetched
 * from `wasmPaths` (a URL prefix ending in '/'). 'auto' asks WebGPU's probe and falls back to
 * WASM; a forced 'webgpu' that cannot run fails with the probe's reason and remedy.
 */
export async function createPageStrategy(request: StrategyRequest, wasmPaths: string): Promise<PageStrategy> {
  if (request !== 'wasm') {
    const webgpu = new WebGpuStrategy();
    const probe = await webgpu.isAvailable();
    if (probe.available) return { strategy: webgpu };
    if (request === 'webgpu') {
      throw new StrataError('strategy-unavailable', `WebGPU cannot run in this browser: ${probe.reason}.`, {
        value: 'webgpu',
        fix: `${probe.remedy}; or train on WASM (choose "wasm", or open the page with ?strategy=wasm).`,
      });
    }
    return { strategy: new WasmStrategy({ wasmPaths }), note: `WebGPU is not available (${probe.reason}); training on WASM.` };
  }
  return { strategy: new WasmStrategy({ wasmPaths }) };
}
