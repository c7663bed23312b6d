// Shared by the reduction kernels: axes parsing and output shapes exactly as tfjs computes them.
import { backend_util, util, type DataType, type NamedAttrMap } from '@tensorflow/tfjs-core';
import type { Combiner, HloBuilder } from '../hlo/hlo-builder.js';
import { elemOf, type Value } from '../hlo/hlo-types.js';
import type { KernelLowering, TensorMeta } from './kernel-lowering.js';

export function reduceAxes(shape: readonly number[], attrs: NamedAttrMap): number[] {
  // Max names its axes reductionIndices; the other reductions name them axis.
  const axis = (attrs.axis ?? attrs.reductionIndices) as number | number[] | null | undefined;
  return util.parseAxisParam((axis ?? null) as number[], shape as number[]);
}

export function reducedShape(x: TensorMeta, attrs: NamedAttrMap): number[] {
  const axes = reduceAxes(x.shape, attrs);
  const [outShape] = backend_util.computeOutAndReduceShapes(x.shape, axes);
  return attrs.keepDims ? backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
}

/** A reduction over attrs.axis with keepDims; `finish` may post-process the reduced value. */
export function reduction(
  kernelName: string,
  combiner: Combiner,
  init: (elem: string) => number,
  outDtype: (x: DataType) => DataType,
  finish?: (b: HloBuilder, reduced: Value, count: number) => Value,
): KernelLowering {
  return {
    kernelName,
    inputs: ['x'],
    infer: ([x], attrs) => [{ shape: reducedShape(x!, attrs), dtype: outDtype(x!.dtype) }],
    lower: (b, [x], attrs, [out]) => {
      const axes = reduceAxes(x!.type.shape, attrs);
      const v = b.convert(x!, elemOf(out.dtype));
      let r = b.reduce(v, axes, combiner, init(v.type.elem));
      if (finish) r = finish(b, r, axes.reduce((n, a) => n * x!.type.shape[a], 1));
      return [b.reshape(r, out.shape)];
    },
  };
}

export const sumDtype = (d: DataType): DataType => (d === 'bool' ? 'int32' : d);
