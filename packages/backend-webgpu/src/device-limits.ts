/** The limits that decide whether tfjs's programs fit: shown by `describe()`. */
export const REPORTED_LIMITS = [
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxStorageBuffersPerShaderStage',
] as const;

/**
 * Every numeric limit the adapter supports, to request the device with. Without them a device
 * gets WebGPU's defaults (for example 128 invocations per workgroup) and tfjs's 256-wide
 * programs are invalid.
 */
export function adapterLimits(adapter: GPUAdapter): Record<string, number> {
  const limits: Record<string, number> = {};
  // The limits are getters on the prototype: for...in sees them, Object.keys does not.
  const source = adapter.limits as unknown as Record<string, unknown>;
  for (const key in source) {
    const value = source[key];
    if (typeof value === 'number') limits[key] = value;
  }
  return limits;
}

/** The reported limits of a device, as strings for `describe()`. */
export function limitsReport(device: GPUDevice): Record<string, string> {
  const source = device.limits as unknown as Record<string, unknown>;
  const report: Record<string, string> = {};
  for (const key of REPORTED_LIMITS) {
    if (typeof source[key] === 'number') report[key] = String(source[key]);
  }
  return report;
}
