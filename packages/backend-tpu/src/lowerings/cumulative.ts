// Shared by Cumsum and Cumprod: a window over the whole axis, padded on one side.
import type { NamedAttrMap } from '@tensorflow/tfjs-core';
import type { Combiner, HloBuilder } from '../hlo/hlo-builder.js';
import type { Value } from '../hlo/hlo-types.js';
import type { KernelLowering } from './kernel-lowering.js';

function lowerCumulative(b: HloBuilder, x: Value, attrs: NamedAttrMap, combiner: Combiner, identity: number): Value {
  const shape = x.type.shape;
  const axis = ((attrs.axis as number) + shape.length) % shape.length;
  const n = shape[axis];
  const reverse = Boolean(attrs.reverse);
  const exclusive = Boolean(attrs.exclusive);
  const window = shape.map((_, i) => (i === axis ? n : 1));
  const ones = shape.map(() => 1);
  // Inclusive: output i combines x[0..i] (x[i..n-1] reversed); exclusive shifts by one more.
  const lo = n - 1 + (exclusive ? 1 : 0);
  const hi = exclusive ? -1 : 0;
  const padding = shape.map((_, i) => (i === axis ? (reverse ? [hi, lo] : [lo, hi]) : [0, 0]) as [number, number]);
  return b.reduceWindow(x, b.constant(identity, x.type.elem), combiner, window, ones, padding, shape);
}

export function cumulative(kernelName: string, combiner: Combiner, identity: number): KernelLowering {
  return {
    kernelName,
    inputs: ['x'],
    infer: ([x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
    lower: (b, [x], attrs) => [lowerCumulative(b, x!, attrs, combiner, identity)],
  };
}
