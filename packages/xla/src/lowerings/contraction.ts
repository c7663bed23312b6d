// Shared by matmul and convolution lowerings: mixed precision, fused bias and activation.
import type { _FusedMatMulAttrs } from '@tensorflow/tfjs-core';
import { i64s, pads, type HloBuilder } from '../hlo/hlo-builder.js';
import type { TensorType, Value } from '../hlo/hlo-types.js';

/**
 * Operands in the precision's compute type (bf16 for 'bf16-mixed', f16 for '16-mixed'); the
 * result stays f32, so accumulation and everything downstream is f32.
 */
export function computeOperands(b: HloBuilder, ...vs: Value[]): Value[] {
  return vs.map((v) => b.convert(v, b.computeElem(v.type.elem)));
}

/** dot_general with the given batching and contracting dimensions. */
export function dotGeneral(
  b: HloBuilder,
  lhs: Value,
  rhs: Value,
  dims: { lb: number[]; rb: number[]; lc: number[]; rc: number[] },
  result: TensorType,
): Value {
  const [l, r] = computeOperands(b, lhs, rhs);
  const list = (xs: number[]) => `[${xs.join(', ')}]`;
  const dn = `#stablehlo.dot<lhs_batching_dimensions = ${list(dims.lb)}, rhs_batching_dimensions = ${list(dims.rb)}, lhs_contracting_dimensions = ${list(dims.lc)}, rhs_contracting_dimensions = ${list(dims.rc)}>`;
  return b.op('stablehlo.dot_general', [l, r], result, `dot_dimension_numbers = ${dn}`);
}

export interface ConvParams {
  /** e.g. '[b, 0, 1, f]x[0, 1, i, o]->[b, 0, 1, f]' */
  readonly dims: string;
  readonly strides: readonly number[];
  readonly padding: readonly (readonly [number, number])[];
  readonly lhsDilation: readonly number[];
  readonly rhsDilation: readonly number[];
  readonly featureGroups?: number;
  readonly batchGroups?: number;
}

/** stablehlo.convolution in the precision's compute type, f32 result. */
export function convolution(b: HloBuilder, lhs: Value, rhs: Value, p: ConvParams, result: TensorType): Value {
  const [l, r] = computeOperands(b, lhs, rhs);
  const props = [
    `batch_group_count = ${p.batchGroups ?? 1} : i64`,
    `dimension_numbers = #stablehlo.conv<${p.dims}>`,
    `feature_group_count = ${p.featureGroups ?? 1} : i64`,
    `lhs_dilation = ${i64s(p.lhsDilation)}`,
    `padding = ${pads(p.padding)}`,
    `rhs_dilation = ${i64s(p.rhsDilation)}`,
    `window_strides = ${i64s(p.strides)}`,
  ].join(', ');
  return b.op('stablehlo.convolution', [l, r], result, props);
}

/** Adds a fused kernel's bias and applies its activation, as tfjs's fused ops define them. */
export function biasActivation(
  b: HloBuilder,
  v: Value,
  bias: Value | null | undefined,
  prelu: Value | null | undefined,
  attrs: Pick<_FusedMatMulAttrs, 'activation' | 'leakyreluAlpha'>,
  channelsFirst = false,
): Value {
  const shape = v.type.shape;
  const elem = v.type.elem;
  const spread = (x: Value): Value =>
    channelsFirst && x.type.shape.length === 1 && shape.length === 4 ? b.broadcastInDim(x, shape, [1]) : b.broadcastTo(x, shape);
  let out = bias ? b.ew('add', v, spread(bias)) : v;
  const zero = () => b.splat(0, shape, elem);
  switch (attrs.activation ?? 'linear') {
    case 'linear':
      return out;
    case 'relu':
      return b.ew('maximum', out, zero());
    case 'relu6':
      return b.ew('minimum', b.ew('maximum', out, zero()), b.splat(6, shape, elem));
    case 'sigmoid':
      return b.ew('logistic', out);
    case 'elu':
      return b.select(b.compare(out, zero(), 'GT'), out, b.ew('exponential_minus_one', out));
    case 'leakyrelu': {
      const scaled = b.ew('multiply', out, b.splat(Number(attrs.leakyreluAlpha ?? 0.2), shape, elem));
      return b.select(b.compare(out, zero(), 'LT'), scaled, out);
    }
    case 'prelu': {
      out = b.select(b.compare(out, zero(), 'LT'), b.ew('multiply', out, spread(prelu!)), out);
      return out;
    }
    default:
      throw new Error(`internal: fused activation ${String(attrs.activation)} has no lowering`);
  }
}

/** Padding for the input gradient of a convolution (jax's _conv_general_vjp_lhs_padding). */
export function vjpLhsPadding(
  inShape: readonly number[],
  window: readonly number[],
  strides: readonly number[],
  outShape: readonly number[],
  padding: readonly (readonly [number, number])[],
  rhsDilation: readonly number[],
): [number, number][] {
  return inShape.map((n, i) => {
    const rhsDil = dilate(window[i], rhsDilation[i]);
    const outDil = dilate(outShape[i], strides[i]);
    const before = rhsDil - padding[i][0] - 1;
    const after = n + rhsDil - 1 - outDil - before;
    return [before, after];
  });
}

/** Padding for the filter gradient of a convolution (jax's _conv_general_vjp_rhs_padding). */
export function vjpRhsPadding(
  inShape: readonly number[],
  window: readonly number[],
  strides: readonly number[],
  outShape: readonly number[],
  padding: readonly (readonly [number, number])[],
  rhsDilation: readonly number[],
): [number, number][] {
  return inShape.map((n, i) => {
    const rhsDil = dilate(window[i], rhsDilation[i]);
    const outDil = dilate(outShape[i], strides[i]);
    const lo = padding[i][0];
    return [lo, outDil - n + (rhsDil - lo - 1)];
  });
}

function dilate(n: number, d: number): number {
  return n === 0 ? 0 : 1 + d * (n - 1);
}
