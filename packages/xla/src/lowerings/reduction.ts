// Reductions over axes (Sum, Mean, Max, ...), index reductions (ArgMax, ArgMin) and scans
// (Cumsum, Cumprod): axes parsing and output shapes exactly as tfjs computes them.
import {
  All,
  Any,
  ArgMax,
  ArgMin,
  Cumprod,
  Cumsum,
  Max,
  Mean,
  Min,
  Prod,
  Sum,
  backend_util,
  util,
  type ArgMaxAttrs,
  type CumsumAttrs,
  type DataType,
  type MaxAttrs,
  type NamedAttrMap,
  type SumAttrs,
} from '@tensorflow/tfjs-core';
import type { Combiner, HloBuilder } from '../hlo/hlo-builder.js';
import { elemOf, type Value } from '../hlo/hlo-types.js';
import { attrsOf, type KernelLowering, type TensorMeta } from './kernel-lowering.js';

/** Max names its axes reductionIndices; the other reductions name them axis. */
type ReductionAttrs = Partial<Pick<SumAttrs, 'axis'>> & Partial<Pick<MaxAttrs, 'reductionIndices'>> & Pick<SumAttrs, 'keepDims'>;

function reduceAxes(shape: readonly number[], attrs: NamedAttrMap): number[] {
  const { axis, reductionIndices } = attrsOf<ReductionAttrs>(attrs);
  // No axis: every axis, as tfjs's parseAxisParam reads a null axis.
  return util.parseAxisParam(axis ?? reductionIndices ?? shape.map((_, i) => i), [...shape]);
}

function reducedShape(x: TensorMeta, attrs: NamedAttrMap): number[] {
  const axes = reduceAxes(x.shape, attrs);
  const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  return attrsOf<ReductionAttrs>(attrs).keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
}

/** How one reduction kernel combines, starts and types its result. */
interface ReductionSpec {
  readonly combiner: Combiner;
  /** The combiner's identity for the element type reduced. */
  readonly init: (elem: string) => number;
  readonly dtype: (x: DataType) => DataType;
  /** Post-processes the reduced value, given how many elements each result combined. */
  readonly finish?: (b: HloBuilder, reduced: Value, count: number) => Value;
}

const sumDtype = (d: DataType): DataType => (d === 'bool' ? 'int32' : d);
const same = (d: DataType): DataType => d;

/** Reductions over attrs.axis with keepDims, by tfjs kernel name. */
const REDUCTIONS: Readonly<Record<string, ReductionSpec>> = {
  /** Logical and over axes. */
  [All]: { combiner: 'and', init: () => 1, dtype: () => 'bool' },
  /** Logical or over axes. */
  [Any]: { combiner: 'or', init: () => 0, dtype: () => 'bool' },
  [Max]: { combiner: 'maximum', init: (e) => (e === 'i32' ? -2147483648 : -Infinity), dtype: same },
  /** The sum divided by the count; always float32. */
  [Mean]: {
    combiner: 'add',
    init: () => 0,
    dtype: () => 'float32',
    finish: (b, r, count) => b.ew('divide', r, b.splat(count, r.type.shape, r.type.elem)),
  },
  [Min]: { combiner: 'minimum', init: (e) => (e === 'i32' ? 2147483647 : Infinity), dtype: same },
  [Prod]: { combiner: 'multiply', init: () => 1, dtype: sumDtype },
  /** Bool sums to int32, as tfjs. */
  [Sum]: { combiner: 'add', init: () => 0, dtype: sumDtype },
};

function reduction(kernelName: string, spec: ReductionSpec): KernelLowering {
  return {
    kernelName,
    inputs: ['x'],
    infer: ([x], attrs) => [{ shape: reducedShape(x!, attrs), dtype: spec.dtype(x!.dtype) }],
    lower: (b, [x], attrs, [out]) => {
      const axes = reduceAxes(x!.type.shape, attrs);
      const v = b.convert(x!, elemOf(out.dtype));
      let r = b.reduce(v, axes, spec.combiner, spec.init(v.type.elem));
      if (spec.finish) r = spec.finish(b, r, axes.reduce((n, a) => n * x!.type.shape[a], 1));
      return [b.reshape(r, out.shape)];
    },
  };
}

/** Index reductions along one axis, by tfjs kernel name: the direction an extreme wins in. */
const ARG_REDUCTIONS: Readonly<Record<string, 'GE' | 'LE'>> = {
  /** The first index of the maximum; int32. */
  [ArgMax]: 'GE',
  /** The first index of the minimum; int32. */
  [ArgMin]: 'LE',
};

function argReduction(kernelName: string, dir: 'GE' | 'LE'): KernelLowering {
  return {
    kernelName,
    inputs: ['x'],
    infer: ([x], attrs) => {
      const [axis] = util.parseAxisParam(attrsOf<ArgMaxAttrs>(attrs).axis, x!.shape);
      return [{ shape: x!.shape.filter((_, i) => i !== axis), dtype: 'int32' }];
    },
    lower: (b, [x], attrs, [out]) => {
      const shape = x!.type.shape;
      const [axis] = util.parseAxisParam(attrsOf<ArgMaxAttrs>(attrs).axis, [...shape]);
      const isInt = x!.type.elem === 'i32';
      const init = dir === 'GE' ? (isInt ? -2147483648 : -Infinity) : isInt ? 2147483647 : Infinity;
      // NaNs never win (tfjs compares with > and <): they become the init value.
      const xs = isInt ? x! : b.select(b.compare(x!, x!, 'NE'), b.splat(init, shape, x!.type.elem), x!);
      const extreme = b.reduce(xs, [axis], dir === 'GE' ? 'maximum' : 'minimum', init);
      const keep = shape.map((d, i) => (i === axis ? 1 : d));
      const back = b.broadcastInDim(b.reshape(extreme, keep), shape, shape.map((_, i) => i));
      const iota = b.op('stablehlo.iota', [], { shape, elem: 'i32' }, `iota_dimension = ${axis} : i64`);
      const big = b.splat(shape[axis], shape, 'i32');
      // The first index where x equals the extreme: the min over matching indices.
      const idx = b.select(b.compare(xs, back, 'EQ'), iota, big);
      return [b.reshape(b.reduce(idx, [axis], 'minimum', 2147483647), out.shape)];
    },
  };
}

/** Scans along attrs.axis (exclusive and reverse as tfjs), by tfjs kernel name: combiner and identity. */
const SCANS: Readonly<Record<string, readonly [Combiner, number]>> = {
  /** Prod's gradient uses Cumprod. */
  [Cumprod]: ['multiply', 1],
  [Cumsum]: ['add', 0],
};

/** A window over the whole axis, padded on one side. */
function lowerScan(b: HloBuilder, x: Value, attrs: NamedAttrMap, combiner: Combiner, identity: number): Value {
  const shape = x.type.shape;
  const scan = attrsOf<CumsumAttrs>(attrs);
  const axis = (scan.axis + shape.length) % shape.length;
  const n = shape[axis];
  const reverse = Boolean(scan.reverse);
  const exclusive = Boolean(scan.exclusive);
  const window = shape.map((_, i) => (i === axis ? n : 1));
  const ones = shape.map(() => 1);
  // Inclusive: output i combines x[0..i] (x[i..n-1] reversed); exclusive shifts by one more.
  const lo = n - 1 + (exclusive ? 1 : 0);
  const hi = exclusive ? -1 : 0;
  const padding = shape.map((_, i) => (i === axis ? (reverse ? [hi, lo] : [lo, hi]) : [0, 0]) as [number, number]);
  return b.reduceWindow(x, b.constant(identity, x.type.elem), combiner, window, ones, padding, shape);
}

function scan(kernelName: string, combiner: Combiner, identity: number): KernelLowering {
  return {
    kernelName,
    inputs: ['x'],
    infer: ([x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
    lower: (b, [x], attrs) => [lowerScan(b, x!, attrs, combiner, identity)],
  };
}

export const REDUCTION_LOWERINGS: readonly KernelLowering[] = [
  ...Object.entries(REDUCTIONS).map(([kernelName, spec]) => reduction(kernelName, spec)),
  ...Object.entries(ARG_REDUCTIONS).map(([kernelName, dir]) => argReduction(kernelName, dir)),
  ...Object.entries(SCANS).map(([kernelName, [combiner, identity]]) => scan(kernelName, combiner, identity)),
];
