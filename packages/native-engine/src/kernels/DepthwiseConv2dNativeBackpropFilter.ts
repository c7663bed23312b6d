import * as tf from '@tensorflow/tfjs-core';
import { NATIVE_BACKEND_NAME, floatAttr, type NativeBackend, type NativeOpAttr } from './native-backend.js';
import type { NativeKernelConfig } from './register-native-kernel.js';

type KernelFunc = NativeKernelConfig['kernelFunc'];

/**
 * The filter gradient of a depthwise convolution as a forward depthwise convolution, on the
 * native engine. TensorFlow's own DepthwiseConv2dNativeBackpropFilter is slow on the CPU for 5x5
 * kernels and for tiny maps (EfficientNet-B0's late layers), where this form is several times
 * faster (bench/README.md has the measurements).
 * It is the same sum:
 *
 *   dF[a, b, c] = sum over n, i, j of  xpad[n, a + i*s, b + j*s, c] * dy[n, i, j, c]
 *
 * so with the batch folded into the channels, x as one image [1, H, W, N*C] convolved depthwise
 * with dy as the filter [Ho, Wo, N*C, 1] (stride 1, dilation s, the layer's padding) gives every
 * (a, b) in its top-left k x k corner, one channel per (n, c); summing over n is dF. Only where
 * `prefers` (by default `prefersForwardForm`) says so; otherwise, and for any layout this does
 * not cover, tfjs-node's kernel runs.
 */
export function depthwiseFilterGradKernel(nodeKernel: KernelFunc, prefers: (info: tf.backend_util.Conv2DInfo) => boolean = prefersForwardForm): NativeKernelConfig {
  return {
    kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
    kernelFunc: (args) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const attrs = args.attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        attrs.filterShape,
        attrs.strides,
        attrs.dilations,
        attrs.pad,
        attrs.dimRoundingMode,
        true,
      );
      const backend = args.backend as NativeBackend;
      if (!coveredLayout(info, x, dy) || !stridesReachable(backend, info) || !prefers(info)) return nodeKernel(args);
      return forwardForm(backend, x, dy, info);
    },
  };
}

/** NHWC float32, channel multiplier 1, no dilation of its own: the layout the fold is written for. */
function coveredLayout(info: tf.backend_util.Conv2DInfo, x: tf.TensorInfo, dy: tf.TensorInfo): boolean {
  return (
    info.dataFormat === 'channelsLast' &&
    x.dtype === 'float32' &&
    dy.dtype === 'float32' &&
    info.outChannels === info.inChannels &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1
  );
}

/**
 * A strided layer needs the forward convolution dilated by its stride. TensorFlow's Eigen
 * depthwise kernel refuses dilations; its oneDNN kernel (on by default only on CPUs with AVX-512
 * or AMX, or with TF_ENABLE_ONEDNN_OPTS=1) takes them. Asked once per process with a 4x4 input.
 */
export function dilatedDepthwiseSupported(backend: NativeBackend): boolean {
  if (dilatedSupport === undefined) {
    const x = tf.ones([1, 4, 4, 1]);
    const filter = tf.ones([2, 2, 1, 1]);
    try {
      const out = backend.executeSingleOutput(tf.DepthwiseConv2dNative, [
        floatAttr(backend),
        { name: 'strides', type: backend.binding.TF_ATTR_INT, value: [1, 1, 1, 1] },
        { name: 'padding', type: backend.binding.TF_ATTR_STRING, value: 'VALID' },
        { name: 'data_format', type: backend.binding.TF_ATTR_STRING, value: 'NHWC' },
        { name: 'dilations', type: backend.binding.TF_ATTR_INT, value: [1, 2, 2, 1] },
      ], [x, filter]);
      (out as tf.Tensor).dispose();
      dilatedSupport = true;
    } catch {
      dilatedSupport = false;
    } finally {
      x.dispose();
      filter.dispose();
    }
  }
  return dilatedSupport;
}
let dilatedSupport: boolean | undefined;

function stridesReachable(backend: NativeBackend, info: tf.backend_util.Conv2DInfo): boolean {
  return (info.strideHeight === 1 && info.strideWidth === 1) || dilatedDepthwiseSupported(backend);
}

/**
 * Where the forward form wins over tfjs-node's kernel, at batch 32 on one and two threads:
 * - 2x2 maps, 3x3 and 5x5 kernels;
 * - 5x5 kernels at stride 1, maps of 4x4 to 32x32;
 * - 5x5 kernels at stride 2 down to 4x4 or 2x2 maps;
 * - not 3x3 kernels on maps of 4x4 and up, nor 5x5 at stride 2 to larger maps (even on two threads).
 */
export function prefersForwardForm(info: tf.backend_util.Conv2DInfo): boolean {
  const outPixels = info.outHeight * info.outWidth;
  if (outPixels <= 4) return true;
  if (info.filterHeight * info.filterWidth < 25) return false;
  return (info.strideHeight === 1 && info.strideWidth === 1) || outPixels <= 16;
}

function forwardForm(backend: NativeBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: ho, outWidth: wo, filterHeight: kh, filterWidth: kw } = info;
  const { top, bottom, left, right } = info.padInfo;
  const run = (name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): tf.TensorInfo =>
    tf.getKernel(name, NATIVE_BACKEND_NAME)!.kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
  const made: tf.TensorInfo[] = [];
  const step = (name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): tf.TensorInfo => {
    const out = run(name, inputs, attrs);
    made.push(out);
    return out;
  };
  try {
    // x: [N, H, W, C] -> [H, W, N, C] -> one image [1, H, W, N*C].
    let image = step(tf.Transpose, { x }, { perm: [1, 2, 0, 3] });
    image = step(tf.Reshape, { x: image }, { shape: [1, h, w, n * c] });
    // dy: [N, Ho, Wo, C] -> [Ho, Wo, N, C] -> a depthwise filter [Ho, Wo, N*C, 1].
    let filter = step(tf.Transpose, { x: dy }, { perm: [1, 2, 0, 3] });
    filter = step(tf.Reshape, { x: filter }, { shape: [ho, wo, n * c, 1] });
    // The layer's own padding as TensorFlow's EXPLICIT padding: no padded copy of the input.
    const padded = top + bottom + left + right > 0;
    const opAttrs: NativeOpAttr[] = [
      floatAttr(backend),
      { name: 'strides', type: backend.binding.TF_ATTR_INT, value: [1, 1, 1, 1] },
      { name: 'padding', type: backend.binding.TF_ATTR_STRING, value: padded ? 'EXPLICIT' : 'VALID' },
      ...(padded ? [{ name: 'explicit_paddings', type: backend.binding.TF_ATTR_INT, value: [0, 0, top, bottom, left, right, 0, 0] }] : []),
      { name: 'data_format', type: backend.binding.TF_ATTR_STRING, value: 'NHWC' },
      { name: 'dilations', type: backend.binding.TF_ATTR_INT, value: [1, info.strideHeight, info.strideWidth, 1] },
    ];
    let corner: tf.TensorInfo = backend.executeSingleOutput(tf.DepthwiseConv2dNative, opAttrs, [image, filter]);
    made.push(corner);
    // Without padding up to a whole stride the result is larger than the kernel: keep k x k.
    if (corner.shape[1] !== kh || corner.shape[2] !== kw) {
      corner = step(tf.Slice, { x: corner }, { begin: [0, 0, 0, 0], size: [1, kh, kw, n * c] });
    }
    corner = step(tf.Reshape, { x: corner }, { shape: [kh, kw, n, c] });
    const summed = step(tf.Sum, { x: corner }, { axis: [2], keepDims: false });
    return run(tf.Reshape, { x: summed }, { shape: [kh, kw, c, 1] });
  } finally {
    // tfjs-node's kernels return engine tensors: disposing them keeps tf.memory()'s count exact.
    for (const t of made) (t as tf.Tensor).dispose();
  }
}
