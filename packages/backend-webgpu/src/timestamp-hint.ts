import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** The fields of tfjs-backend-webgpu 4.22's backend that its timestamp-query hint reads. */
interface TimestampHintState {
  hasTimestampQueryWarned?: boolean;
}

/**
 * Marks the backend's timestamp-query hint as given. On a device without the 'timestamp-query'
 * feature (llvmpipe has none) tfjs-backend-webgpu prints "This device doesn't support
 * timestamp-query extension. Start Chrome browser with flag --enable-dawn-features=..." the
 * first time anything is profiled, and the strategy's preflight profiles its probe step. The
 * advice is for Chrome; the fact stays visible in `describe().details.timestampQuery`.
 */
export function withoutTimestampHint(backend: WebGPUBackend): WebGPUBackend {
  (backend as unknown as TimestampHintState).hasTimestampQueryWarned = true;
  return backend;
}

/** For `describe()`: whether the device can time kernels (tf.profile's kernel times). */
export function timestampQueryReport(device: GPUDevice): { timestampQuery: string } {
  return {
    timestampQuery: device.features.has('timestamp-query') ? 'supported' : "absent: tf.profile reports kernel times of 0 (tfjs-backend-webgpu's hint about it is not printed)",
  };
}
