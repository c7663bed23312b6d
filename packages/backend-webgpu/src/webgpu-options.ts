import { invalidOption } from '@strata/core';

/** Dawn's backends that `WebGpuStrategy` can ask for in Node. */
export const DAWN_BACKENDS = ['opengl', 'opengles', 'vulkan', 'd3d12', 'd3d11', 'metal'] as const;
export type DawnBackend = (typeof DAWN_BACKENDS)[number];

/**
 * Options of `WebGpuStrategy`. Every one is optional: the defaults pick the best adapter, and
 * headless on a machine without a GPU they find Mesa's llvmpipe through OpenGL/EGL.
 *
 * @example
 * new WebGpuStrategy({ backend: 'vulkan', powerPreference: 'high-performance', adapterIndex: 1 });
 */
export interface WebGpuStrategyOptions {
  /**
   * Node only: the Dawn backend to use. Default: Dawn's own choice for the platform (Vulkan,
   * Metal, D3D12), then 'opengl' (which is how Mesa's llvmpipe is reached headless).
   */
  readonly backend?: DawnBackend;
  /** Passed to `requestAdapter`. Default 'high-performance'. */
  readonly powerPreference?: 'high-performance' | 'low-power';
  /**
   * Node only: which adapter of the chosen Dawn backend, in the order Dawn lists them.
   * Default 0 (the one `requestAdapter` returns). Browsers expose one adapter: only 0 works.
   */
  readonly adapterIndex?: number;
  /**
   * 'adapter' (default) requests the device with every limit the adapter supports, which
   * tfjs's 256-wide workgroups need. 'default' keeps WebGPU's default limits, as the most
   * constrained browsers do: useful to check a model runs there, and it shows that
   * programs exceeding the limits fail the step instead of returning wrong numbers.
   */
  readonly limits?: 'adapter' | 'default';
}

/** Checks options up front, so a typo fails at construction with the allowed values. */
export function validateOptions(options: WebGpuStrategyOptions): WebGpuStrategyOptions {
  const { backend, powerPreference, adapterIndex, limits } = options;
  if (backend !== undefined && !DAWN_BACKENDS.includes(backend)) {
    invalidOption('webgpu backend', backend, `one of ${DAWN_BACKENDS.map((b) => `'${b}'`).join(', ')}`);
  }
  if (powerPreference !== undefined && powerPreference !== 'high-performance' && powerPreference !== 'low-power') {
    invalidOption('webgpu powerPreference', powerPreference, "'high-performance' or 'low-power'");
  }
  if (adapterIndex !== undefined && !(Number.isInteger(adapterIndex) && adapterIndex >= 0)) {
    invalidOption('webgpu adapterIndex', adapterIndex, 'a non-negative integer');
  }
  if (limits !== undefined && limits !== 'adapter' && limits !== 'default') {
    invalidOption('webgpu limits', limits, "'adapter' or 'default'");
  }
  return options;
}
