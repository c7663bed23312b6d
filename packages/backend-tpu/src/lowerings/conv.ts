// Shared by the 2-D convolution lowerings: tfjs's own shape and padding arithmetic
// (backend_util.computeConv2DInfo), and XLA's forms for the gradients (as jax emits them).
import { backend_util, type NamedAttrMap } from '@tensorflow/tfjs-core';
import type { HloBuilder } from '../hlo/hlo-builder.js';
import type { Value } from '../hlo/hlo-types.js';
import { convolution, vjpLhsPadding, vjpRhsPadding } from './contraction.js';

type Info = backend_util.Conv2DInfo;
type Pad = backend_util.PadInfo | 'valid' | 'same' | number | backend_util.ExplicitPadding;

export function convInfo(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: NamedAttrMap,
  depthwise: boolean,
): Info {
  const format = backend_util.convertConv2DDataFormat(((attrs.dataFormat as string) ?? 'NHWC') as 'NHWC' | 'NCHW');
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    (attrs.dilations as number | [number, number]) ?? 1,
    attrs.pad as Pad as never,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
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
export function convForward(b: HloBuilder, x: Value, filter: Value, info: Info, depthwise: boolean): Value {
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
export function convBackpropInput(b: HloBuilder, dy: Value, filter: Value, info: Info, depthwise: boolean): Value {
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
export function convBackpropFilter(b: HloBuilder, x: Value, dy: Value, info: Info, depthwise: boolean): Value {
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
