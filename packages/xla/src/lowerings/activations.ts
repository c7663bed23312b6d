// Activations and their gradients: each a short emitter over one input (Prelu, EluGrad and
// StrataReluGrad over two), and Softmax over the last axis.
import {
  ClipByValue,
  Elu,
  EluGrad,
  LeakyRelu,
  Prelu,
  Relu,
  Relu6,
  Selu,
  Softmax,
  Softplus,
  Step,
  backend_util,
  type ClipByValueAttrs,
  type LeakyReluAttrs,
  type StepAttrs,
} from '@tensorflow/tfjs-core';
import { STRATA_RELU_GRAD } from '@strata/core';
import { unary } from './elementwise.js';
import { attrsOf, type KernelLowering } from './kernel-lowering.js';

/** EluGrad: dy where y >= 0, else dy * (y + 1) (y is Elu's output). */
const eluGrad: KernelLowering = {
  kernelName: EluGrad,
  inputs: ['dy', 'y'],
  infer: ([dy]) => [{ shape: [...dy!.shape], dtype: dy!.dtype }],
  lower: (b, [dy, y]) => {
    const { shape, elem } = y!.type;
    const neg = b.ew('multiply', dy!, b.ew('add', y!, b.splat(1, shape, elem)));
    return [b.select(b.compare(y!, b.splat(0, shape, elem), 'GE'), dy!, neg)];
  },
};

/** Prelu: x where x >= 0, else alpha * x, alpha broadcast to x. */
const prelu: KernelLowering = {
  kernelName: Prelu,
  inputs: ['x', 'alpha'],
  infer: ([x, alpha]) => [{ shape: backend_util.assertAndGetBroadcastShape(x!.shape, alpha!.shape), dtype: 'float32' }],
  lower: (b, [x, alpha], _attrs, [out]) => {
    const xv = b.broadcastTo(b.convert(x!, 'f32'), out.shape);
    const av = b.broadcastTo(b.convert(alpha!, 'f32'), out.shape);
    return [b.select(b.compare(xv, b.splat(0, out.shape, xv.type.elem), 'LT'), b.ew('multiply', xv, av), xv)];
  },
};

/**
 * Relu's gradient, dy where x > 0 else 0, as jax's relu vjp lowers it. tfjs's own gradient is
 * dy * step(x), and Step keeps NaN, which costs XLA two more selects in the fused loop over
 * the largest activations; here NaN gives 0, as in TensorFlow, jax and PyTorch. Used through
 * @strata/core's gradient override for the xla backend (see register-kernels.ts).
 */
const strataReluGrad: KernelLowering = {
  kernelName: STRATA_RELU_GRAD,
  inputs: ['dy', 'x'],
  infer: ([dy]) => [{ shape: [...dy!.shape], dtype: dy!.dtype }],
  lower: (b, [dy, x]) => {
    const zero = b.splat(0, x!.type.shape, x!.type.elem);
    return [b.select(b.compare(x!, zero, 'GT'), dy!, zero)];
  },
};

/** Softmax over the last axis: e^(x - max) / sum, the max subtracted for range. */
const softmax: KernelLowering = {
  kernelName: Softmax,
  inputs: ['logits'],
  infer: ([x]) => [{ shape: [...x!.shape], dtype: x!.dtype }],
  lower: (b, [x]) => {
    const shape = x!.type.shape;
    const last = shape.length - 1;
    const keep = shape.map((_, i) => i).filter((i) => i !== last);
    const max = b.broadcastInDim(b.reduce(x!, [last], 'maximum', -Infinity), shape, keep);
    const e = b.ew('exponential', b.ew('subtract', x!, max));
    const sum = b.broadcastInDim(b.reduce(e, [last], 'add', 0), shape, keep);
    return [b.ew('divide', e, sum)];
  },
};

export const ACTIVATION_LOWERINGS: readonly KernelLowering[] = [
  // max(x, 0).
  unary(Relu, (b, x) => b.ew('maximum', x, b.splat(0, x.type.shape, x.type.elem))),
  // min(max(x, 0), 6).
  unary(Relu6, (b, x) =>
    b.ew('minimum', b.ew('maximum', x, b.splat(0, x.type.shape, x.type.elem)), b.splat(6, x.type.shape, x.type.elem)),
  ),
  // x where x > 0, else e^x - 1.
  unary(Elu, (b, x) =>
    b.select(b.compare(x, b.splat(0, x.type.shape, x.type.elem), 'GT'), x, b.ew('exponential_minus_one', x)),
  ),
  // scale * (x > 0 ? x : alpha * (e^x - 1)), tfjs's constants.
  unary(Selu, (b, x) => {
    const { shape, elem } = x.type;
    const neg = b.ew('multiply', b.splat(backend_util.SELU_SCALEALPHA, shape, elem), b.ew('exponential_minus_one', x));
    const pos = b.ew('multiply', b.splat(backend_util.SELU_SCALE, shape, elem), x);
    return b.select(b.compare(x, b.splat(0, shape, elem), 'GT'), pos, neg);
  }),
  // x where x >= 0, else alpha * x; float32 output, as tfjs.
  unary(
    LeakyRelu,
    (b, xIn, attrs) => {
      const x = b.convert(xIn, 'f32');
      const { shape, elem } = x.type;
      const scaled = b.ew('multiply', x, b.splat(Number(attrsOf<LeakyReluAttrs>(attrs).alpha), shape, elem));
      return b.select(b.compare(x, b.splat(0, shape, elem), 'LT'), scaled, x);
    },
    'float32',
  ),
  // log(1 + e^x), written max(x, 0) + log1p(e^-|x|) so it never overflows.
  unary(Softplus, (b, x) => {
    const { shape, elem } = x.type;
    const tail = b.ew('log_plus_one', b.ew('exponential', b.ew('negate', b.ew('abs', x))));
    return b.ew('add', b.ew('maximum', x, b.splat(0, shape, elem)), tail);
  }),
  // 1 where x > 0, else alpha; NaN stays NaN (as tfjs-backend-cpu).
  unary(Step, (b, x, attrs) => {
    const shape = x.type.shape;
    const elem = x.type.elem;
    const alpha = Number(attrsOf<StepAttrs>(attrs).alpha ?? 0);
    const stepped = b.select(b.compare(x, b.splat(0, shape, elem), 'GT'), b.splat(1, shape, elem), b.splat(alpha, shape, elem));
    return b.select(b.compare(x, x, 'NE'), x, stepped);
  }),
  // min(max(x, clipValueMin), clipValueMax).
  unary(ClipByValue, (b, x, attrs) => {
    const { clipValueMin, clipValueMax } = attrsOf<ClipByValueAttrs>(attrs);
    const { shape, elem } = x.type;
    const lo = b.splat(Number(clipValueMin), shape, elem);
    const hi = b.splat(Number(clipValueMax), shape, elem);
    return b.ew('minimum', b.ew('maximum', x, lo), hi);
  }),
  eluGrad,
  prelu,
  strataReluGrad,
  softmax,
];
