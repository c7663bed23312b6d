// The matrix products: BatchMatMul and _FusedMatMul (tf.matMul, tf.fused.matMul), each one
// dot_general in the precision's operand type.
import {
  BatchMatMul,
  _FusedMatMul,
  broadcast_util,
  util,
  type BatchMatMulAttrs,
  type _FusedMatMulAttrs,
} from '@tensorflow/tfjs-core';
import type { HloBuilder } from '../hlo/hlo-builder.js';
import type { Value } from '../hlo/hlo-types.js';
import { biasActivation, dotGeneral } from './contraction.js';
import { attrsOf, type KernelLowering, type TensorMeta } from './kernel-lowering.js';

type Transposes = Pick<BatchMatMulAttrs, 'transposeA' | 'transposeB'>;

function matMulShape(a: TensorMeta, c: TensorMeta, attrs: Transposes): number[] {
  const ra = a.shape.length;
  const rb = c.shape.length;
  // The checks and messages of tfjs-backend-cpu's BatchMatMul.
  const innerA = attrs.transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const innerB = attrs.transposeB ? c.shape[rb - 1] : c.shape[rb - 2];
  util.assert(ra >= 2 && rb >= 2, () => `Error in matMul: the input rank must be >= 2, got ranks ${ra} and ${rb}.`);
  util.assert(
    innerA === innerB,
    () => `Error in matMul: inner shapes (${innerA}) and (${innerB}) of Tensors with shapes ${a.shape} and ${c.shape} and transposeA=${attrs.transposeA} and transposeB=${attrs.transposeB} must match.`,
  );
  const m = attrs.transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const n = attrs.transposeB ? c.shape[rb - 2] : c.shape[rb - 1];
  const batch = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), c.shape.slice(0, -2));
  return [...batch, m, n];
}

/** a @ b with tfjs's transposes and broadcast batch dimensions, as one dot_general. */
function lowerMatMul(b: HloBuilder, a: Value, c: Value, attrs: Transposes, outShape: readonly number[]): Value {
  const batch = outShape.slice(0, -2);
  const m = outShape[outShape.length - 2];
  const n = outShape[outShape.length - 1];
  const ta = Boolean(attrs.transposeA);
  const tb = Boolean(attrs.transposeB);
  const as = a.type.shape;
  const cs = c.type.shape;
  if (batch.length === 0) {
    return dotGeneral(b, a, c, { lb: [], rb: [], lc: [ta ? 0 : 1], rc: [tb ? 1 : 0] }, { shape: [m, n], elem: a.type.elem });
  }
  const nb = batch.reduce((x, y) => x * y, 1);
  const flat = (v: Value, rows: number, cols: number): Value => {
    const full = b.broadcastTo(v, [...batch, rows, cols]);
    return b.reshape(full, [nb, rows, cols]);
  };
  const a3 = flat(a, as[as.length - 2], as[as.length - 1]);
  const c3 = flat(c, cs[cs.length - 2], cs[cs.length - 1]);
  const out = dotGeneral(b, a3, c3, { lb: [0], rb: [0], lc: [ta ? 1 : 2], rc: [tb ? 2 : 1] }, { shape: [nb, m, n], elem: a.type.elem });
  return b.reshape(out, outShape);
}

/** BatchMatMul: a @ b (transposes, broadcast batch), one dot_general in the precision's operand type. */
const batchMatMul: KernelLowering = {
  kernelName: BatchMatMul,
  inputs: ['a', 'b'],
  infer: ([a, c], attrs) => [{ shape: matMulShape(a!, c!, attrsOf<BatchMatMulAttrs>(attrs)), dtype: a!.dtype }],
  lower: (b, [a, c], attrs, [out]) => [lowerMatMul(b, a!, c!, attrsOf<BatchMatMulAttrs>(attrs), out.shape)],
};

/** _FusedMatMul (tf.fused.matMul): activation(a @ b + bias). */
const fusedMatMul: KernelLowering = {
  kernelName: _FusedMatMul,
  inputs: ['a', 'b', 'bias', 'preluActivationWeights'],
  infer: ([a, c], attrs) => [{ shape: matMulShape(a!, c!, attrsOf<_FusedMatMulAttrs>(attrs)), dtype: a!.dtype }],
  lower: (b, [a, c, bias, prelu], attrs, [out]) => {
    const fused = attrsOf<_FusedMatMulAttrs>(attrs);
    return [biasActivation(b, lowerMatMul(b, a!, c!, fused, out.shape), bias, prelu, fused)];
  },
};

export const MATMUL_LOWERINGS: readonly KernelLowering[] = [batchMatMul, fusedMatMul];
