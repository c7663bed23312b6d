import { backend_util } from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
import type { ConvGeometry } from './im2col_transposed.js';

/** The geometry our kernels use, from tfjs's own conv info (so padding rules match tfjs exactly). */
export function geometryOf(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Our kernels work on NHWC data, as tfjs-wasm's forward convolutions do. */
export function assertChannelsLast(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat === undefined || dataFormat === 'NHWC' || dataFormat === 'channelsLast') return;
  throw new StrataError('unsupported-option', `${kernel} on wasm received dataFormat ${JSON.stringify(dataFormat)}.`, {
    value: dataFormat,
    fix: "use dataFormat 'NHWC' (channels last), the only layout tfjs-backend-wasm's convolutions support, or transpose the input.",
  });
}
