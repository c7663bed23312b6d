// Test support: depthwise convolution cases shared by the two depthwise gradient tests.
import * as tf from '@tensorflow/tfjs-core';

export interface DepthwiseCase {
  readonly x: [number, number, number, number];
  readonly filter: [number, number, number, number];
  readonly strides: number | [number, number];
  readonly pad: 'same' | 'valid' | number;
  readonly dilations?: number;
}

export const depthwiseCases: DepthwiseCase[] = [
  { x: [2, 9, 8, 4], filter: [3, 3, 4, 1], strides: 1, pad: 'same' },
  { x: [2, 10, 10, 6], filter: [3, 3, 6, 1], strides: 2, pad: 'same' },
  { x: [2, 9, 9, 3], filter: [5, 5, 3, 1], strides: 2, pad: 'same' },
  { x: [1, 9, 9, 3], filter: [5, 5, 3, 1], strides: 1, pad: 'valid' },
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 2], strides: 1, pad: 'same' },
  { x: [1, 9, 10, 2], filter: [3, 3, 2, 3], strides: 2, pad: 'valid' },
  { x: [1, 9, 9, 2], filter: [3, 3, 2, 1], strides: 1, pad: 'same', dilations: 2 },
  { x: [2, 12, 11, 17], filter: [5, 5, 17, 1], strides: 2, pad: 'same' }, // SIMD blocks and a tail
  { x: [3, 8, 8, 32], filter: [3, 3, 32, 1], strides: 1, pad: 'valid' },
  { x: [1, 6, 6, 2], filter: [3, 3, 2, 1], strides: 1, pad: 1 },
  // Padding wider than the filter's reach: the plain loop.
  { x: [1, 5, 5, 2], filter: [2, 2, 2, 1], strides: 1, pad: 3 },
];

/**
 * The reference for a dilated case. tfjs-backend-cpu's depthwise gradient kernels ignore
 * dilations, so a dilated case is compared with the undilated one whose filter has d-1 zeros
 * between taps, which is the same convolution.
 */
export function undilated(c: DepthwiseCase): DepthwiseCase & { readonly expandedFilter: [number, number, number, number] } {
  const d = c.dilations ?? 1;
  const [kh, kw, ch, m] = c.filter;
  return { ...c, dilations: 1, expandedFilter: [(kh - 1) * d + 1, (kw - 1) * d + 1, ch, m] };
}

/** Spreads a filter [kh, kw, c, m] to [(kh-1)d+1, (kw-1)d+1, c, m] with zeros between taps. */
export function spreadFilter(w: Float32Array, shape: [number, number, number, number], d: number): Float32Array {
  const [kh, kw, ch, m] = shape;
  const bigW = (kw - 1) * d + 1;
  const out = new Float32Array(((kh - 1) * d + 1) * bigW * ch * m);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) out.set(w.subarray((i * kw + j) * ch * m, (i * kw + j + 1) * ch * m), (i * d * bigW + j * d) * ch * m);
  }
  return out;
}

/** Takes the taps at multiples of d back out of a spread filter gradient. */
export function gatherTaps(big: Float32Array, shape: [number, number, number, number], d: number): Float32Array {
  const [kh, kw, ch, m] = shape;
  const bigW = (kw - 1) * d + 1;
  const out = new Float32Array(kh * kw * ch * m);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) out.set(big.subarray((i * d * bigW + j * d) * ch * m, (i * d * bigW + j * d + 1) * ch * m), (i * kw + j) * ch * m);
  }
  return out;
}

export function outShapeOf(c: DepthwiseCase): [number, number, number, number] {
  return tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, c.dilations ?? 1, c.pad, undefined, true).outShape;
}
