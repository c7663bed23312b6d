/**
 * A tensor's values on the host, with its shape (without the batch dimension): what datasets
 * yield and augmentations produce before a batch goes to a device.
 */
export interface HostTensor {
  readonly data: Float32Array | Int32Array | Uint8Array;
  readonly shape: readonly number[];
  /** 'float32' by default; 'int32' for Int32Array data. */
  readonly dtype?: 'float32' | 'int32';
}
