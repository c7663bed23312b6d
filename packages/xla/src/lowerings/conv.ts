// The 2-D convolution kernels (plain, depthwise, fused, and their gradients): tfjs's own
// shape and padding arithmetic (backend_util.computeConv2DInfo), and XLA's forms for the
// gradients (as jax emits them).
import {
  Conv2D,
  Conv2DBackpropFilter,
  Conv2DBackpropInput,
  DepthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropFilter,
  DepthwiseConv2dNativeBackpropInput,
  FusedConv2D,
  FusedDepthwiseConv2D,
  backend_util,
  type Conv2DAttrs,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropInputAttrs,
  type DepthwiseConv2dNativeAttrs,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type FusedConv2DAttrs,
  type FusedDepthwiseConv2DAttrs,
  type NamedAttrMap,
} from '@tensorflow/tfjs-core';
import type { HloBuilder } from '../hlo/hlo-builder.js';
import type { Value } from '../hlo/hlo-types.js';
import { biasActivation, convolution, vjpLhsPadding, vjpRhsPadding } from './contraction.js';
import { attrsOf, type KernelLowering } from './kernel-lowering.js';

type Info = backend_util.Conv2DInfo;
type Shape4 = [number, number, number, number];

/** What every 2-D convolution kernel's attributes hold (some gradient kernels lack dataFormat or dilations). */
type ConvAttrs = Pick<Conv2DAttrs, 'strides' | 'pad' | 'dimRoundingMode'> & Partial<Pick<Conv2DAttrs, 'dataFormat' | 'dilations'>>;

function convInfo(xShape: readonly number[], filterShape: readonly number[], attrs: ConvAttrs, depthwise: boolean): Info {
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    format,
  );
}

/** The input and output layout in XLA's convolution notation. */
function layout(info: Info): { x: string } {
  return { x: info.dataFormat === 'channelsFirst' ? '[b, f, 0, 1]' : '[b, 0, 1, f]' };
}

function padding(info: Info): [number, number][] {
  return [
    [info.padInfo.top, info.padInfo.bottom],
    [info.padInfo.left, info.padInfo.right],
  ];
}

/** Depthwise filters [h, w, c, m] become XLA's grouped form [h, w, 1, c*m]. */
function groupedFilter(b: HloBuilder, filter: Value): Value {
  const [h, w, c, m] = filter.type.shape;
  return b.reshape(filter, [h, w, 1, c * m]);
}

/** y = conv(x, filter) (depthwise: feature groups = input channels). */
function convForward(b: HloBuilder, x: Value, filter: Value, info: Info, depthwise: boolean): Value {
  const l = layout(info).x;
  const rhs = depthwise ? groupedFilter(b, filter) : filter;
  return convolution(
    b,
    x,
    rhs,
    {
      dims: `${l}x[0, 1, i, o]->${l}`,
      strides: [info.strideHeight, info.strideWidth],
      padding: padding(info),
      lhsDilation: [1, 1],
      rhsDilation: [info.dilationHeight, info.dilationWidth],
      featureGroups: depthwise ? info.inChannels : 1,
    },
    { shape: info.outShape, elem: 'f32' },
  );
}

/** dx from dy: dy convolved with the spatially reversed filter, dy dilated by the strides. */
function convBackpropInput(b: HloBuilder, dy: Value, filter: Value, info: Info, depthwise: boolean): Value {
  const l = layout(info).x;
  const window = [info.filterHeight, info.filterWidth];
  const strides = [info.strideHeight, info.strideWidth];
  const dil = [info.dilationHeight, info.dilationWidth];
  const pad = vjpLhsPadding([info.inHeight, info.inWidth], window, strides, [info.outHeight, info.outWidth], padding(info), dil);
  // tfjs reads dy only within the forward output's extent (conv2dTranspose may pass more).
  const first = info.dataFormat === 'channelsFirst';
  const [hAxis, wAxis] = first ? [2, 3] : [1, 2];
  if (dy.type.shape[hAxis] > info.outHeight || dy.type.shape[wAxis] > info.outWidth) {
    const limit = dy.type.shape.map((d, i) => (i === hAxis ? info.outHeight : i === wAxis ? info.outWidth : d));
    dy = b.op(
      'stablehlo.slice',
      [dy],
      { shape: limit, elem: dy.type.elem },
      `limit_indices = array<i64: ${limit.join(', ')}>, start_indices = array<i64: ${limit.map(() => 0).join(', ')}>, strides = array<i64: ${limit.map(() => 1).join(', ')}>`,
    );
  }
  // For depthwise, the tfjs filter [h, w, c, m] is already XLA's transposed grouped filter.
  const reversed = b.op('stablehlo.reverse', [filter], filter.type, 'dimensions = array<i64: 0, 1>');
  return convolution(
    b,
    dy,
    reversed,
    {
      dims: `${l}x[0, 1, o, i]->${l}`,
      strides: [1, 1],
      padding: pad,
      lhsDilation: strides,
      rhsDilation: dil,
      featureGroups: depthwise ? info.inChannels : 1,
    },
    { shape: info.inShape, elem: 'f32' },
  );
}

/** dfilter from x and dy: x's batch is contracted against dy's (features and batch swap roles). */
function convBackpropFilter(b: HloBuilder, x: Value, dy: Value, info: Info, depthwise: boolean): Value {
  const first = info.dataFormat === 'channelsFirst';
  const window = [info.filterHeight, info.filterWidth];
  const strides = [info.strideHeight, info.strideWidth];
  const dil = [info.dilationHeight, info.dilationWidth];
  const pad = vjpRhsPadding([info.inHeight, info.inWidth], window, strides, [info.outHeight, info.outWidth], padding(info), dil);
  const [fh, fw, c] = info.filterShape;
  const outChannels = info.outChannels;
  const grad = convolution(
    b,
    x,
    dy,
    {
      dims: first ? '[f, b, 0, 1]x[i, o, 0, 1]->[0, 1, b, f]' : '[f, 0, 1, b]x[i, 0, 1, o]->[0, 1, b, f]',
      strides: dil,
      padding: pad,
      lhsDilation: [1, 1],
      rhsDilation: strides,
      batchGroups: depthwise ? info.inChannels : 1,
    },
    { shape: depthwise ? [fh, fw, 1, outChannels] : info.filterShape, elem: 'f32' },
  );
  return depthwise ? b.reshape(grad, [fh, fw, c, outChannels / c]) : grad;
}

/** A forward convolution: Conv2D, or DepthwiseConv2dNative with one feature group per input channel. */
function forward(kernelName: string, depthwise: boolean): KernelLowering {
  const info = (x: readonly number[], f: readonly number[], attrs: NamedAttrMap) =>
    convInfo(x, f, attrsOf<Conv2DAttrs | DepthwiseConv2dNativeAttrs>(attrs), depthwise);
  return {
    kernelName,
    inputs: ['x', 'filter'],
    infer: ([x, f], attrs) => [{ shape: info(x!.shape, f!.shape, attrs).outShape, dtype: x!.dtype }],
    lower: (b, [x, f], attrs) => [convForward(b, x!, f!, info(x!.type.shape, f!.type.shape, attrs), depthwise)],
  };
}

/** A fused convolution (tf.fused.conv2d, tf.fused.depthwiseConv2d): activation(conv(x, filter) + bias). */
function fused(kernelName: string, depthwise: boolean): KernelLowering {
  const attrsFor = (attrs: NamedAttrMap) => attrsOf<FusedConv2DAttrs | FusedDepthwiseConv2DAttrs>(attrs);
  return {
    kernelName,
    inputs: ['x', 'filter', 'bias', 'preluActivationWeights'],
    infer: ([x, f], attrs) => [{ shape: convInfo(x!.shape, f!.shape, attrsFor(attrs), depthwise).outShape, dtype: x!.dtype }],
    lower: (b, [x, f, bias, prelu], attrs) => {
      const a = attrsFor(attrs);
      const info = convInfo(x!.type.shape, f!.type.shape, a, depthwise);
      // Only FusedConv2D puts the bias of a channels-first (NCHW) input on dimension 1; the
      // depthwise lowering broadcasts it against the trailing dimension.
      const channelsFirst = !depthwise && info.dataFormat === 'channelsFirst';
      return [biasActivation(b, convForward(b, x!, f!, info, depthwise), bias, prelu, a, channelsFirst)];
    },
  };
}

/** Conv2D's gradient kernels carry no dilations (tfjs computes them at dilation 1); the depthwise ones do. */
function gradientAttrs<T extends ConvAttrs>(a: T, depthwise: boolean): ConvAttrs {
  return depthwise ? a : { ...a, dilations: 1 };
}

/** The filter gradient (dfilter) of a convolution. */
function backpropFilter(kernelName: string, depthwise: boolean): KernelLowering {
  const attrsFor = (attrs: NamedAttrMap) => attrsOf<Conv2DBackpropFilterAttrs | DepthwiseConv2dNativeBackpropFilterAttrs>(attrs);
  return {
    kernelName,
    inputs: ['x', 'dy'],
    infer: ([x], attrs) => [{ shape: [...attrsFor(attrs).filterShape], dtype: x!.dtype }],
    lower: (b, [x, dy], attrs) => {
      const a = attrsFor(attrs);
      const info = convInfo(x!.type.shape, a.filterShape, gradientAttrs(a, depthwise), depthwise);
      return [convBackpropFilter(b, x!, dy!, info, depthwise)];
    },
  };
}

/** The input gradient (dx) of a convolution, also conv2dTranspose. */
function backpropInput(kernelName: string, depthwise: boolean): KernelLowering {
  const attrsFor = (attrs: NamedAttrMap) => attrsOf<Conv2DBackpropInputAttrs | DepthwiseConv2dNativeBackpropInputAttrs>(attrs);
  return {
    kernelName,
    inputs: ['dy', 'filter'],
    infer: ([dy], attrs) => [{ shape: [...attrsFor(attrs).inputShape], dtype: dy!.dtype }],
    lower: (b, [dy, f], attrs) => {
      const a = attrsFor(attrs);
      const info = convInfo(a.inputShape, f!.type.shape, gradientAttrs(a, depthwise), depthwise);
      return [convBackpropInput(b, dy!, f!, info, depthwise)];
    },
  };
}

/** The convolution kernels by tfjs kernel name: whether each is depthwise. */
const FORWARD: Readonly<Record<string, boolean>> = { [Conv2D]: false, [DepthwiseConv2dNative]: true };
const FUSED: Readonly<Record<string, boolean>> = { [FusedConv2D]: false, [FusedDepthwiseConv2D]: true };
const BACKPROP_FILTER: Readonly<Record<string, boolean>> = { [Conv2DBackpropFilter]: false, [DepthwiseConv2dNativeBackpropFilter]: true };
const BACKPROP_INPUT: Readonly<Record<string, boolean>> = { [Conv2DBackpropInput]: false, [DepthwiseConv2dNativeBackpropInput]: true };

export const CONV_LOWERINGS: readonly KernelLowering[] = [
  ...Object.entries(FORWARD).map(([kernelName, depthwise]) => forward(kernelName, depthwise)),
  ...Object.entries(FUSED).map(([kernelName, depthwise]) => fused(kernelName, depthwise)),
  ...Object.entries(BACKPROP_FILTER).map(([kernelName, depthwise]) => backpropFilter(kernelName, depthwise)),
  ...Object.entries(BACKPROP_INPUT).map(([kernelName, depthwise]) => backpropInput(kernelName, depthwise)),
];
