// Random numbers drawn on the device: Strata's StrataRandomUniform kernel (what @strata/core's
// randomUniformFromSeed and dropout run where the backend has it). The seed is a tensor, so a
// compiled step takes it as an argument and draws new numbers at every replay.
import { STRATA_RANDOM_UNIFORM } from '@strata/core';
import type { HloBuilder } from '../hlo/hlo-builder.js';
import { sizeOf, type Value } from '../hlo/hlo-types.js';
import type { KernelLowering } from './kernel-lowering.js';

/** The exponent bits of 1.0f: OR-ed onto 23 random mantissa bits, they make a float in [1, 2). */
const ONE_F32_BITS = 0x3f800000;

/**
 * 32 random bits an element of `shape`, from the counter-based Threefry generator keyed by the
 * int32 seed. The generator's state is [key, counter] in ui64: the seed's 32 bits as the key,
 * and a counter of 0, so each seed gives its own stream (as jax's `random_bits` with a key).
 */
function threefryBits(b: HloBuilder, seed: Value, shape: readonly number[]): Value {
  const key = b.convert(b.op('stablehlo.bitcast_convert', [seed], { shape: [], elem: 'ui32' }), 'ui64');
  const keyAndZero = b.op('stablehlo.constant', [], { shape: [2], elem: 'ui64' }, 'value = dense<[1, 0]> : tensor<2xui64>');
  const state = b.ew('multiply', b.broadcastInDim(key, [2], []), keyAndZero);
  const [, bits] = b.multiOp('stablehlo.rng_bit_generator', [state], [state.type, { shape, elem: 'ui32' }], 'rng_algorithm = #stablehlo<rng_algorithm THREE_FRY>');
  return bits!;
}

/**
 * StrataRandomUniform: float32 uniform in [0, 1) of the `shape` attribute, from the int32 `seed`.
 * The top 23 bits of each random word become the mantissa of a float in [1, 2), minus 1: every
 * value is a multiple of 2^-23, as jax's `random.uniform` makes them.
 */
const randomUniform: KernelLowering = {
  kernelName: STRATA_RANDOM_UNIFORM,
  inputs: ['seed'],
  infer: (_ins, attrs) => [{ shape: [...(attrs.shape as number[])], dtype: 'float32' }],
  lower: (b, [seed], _attrs, [out]) => {
    const shape = out.shape;
    if (sizeOf(shape) === 0) return [b.splat(0, shape, 'f32')];
    // The generator draws at least one dimension; a scalar is drawn as [1] and reshaped.
    const drawn = shape.length === 0 ? [1] : shape;
    const bits = threefryBits(b, seed!, drawn);
    const mantissa = b.ew('shift_right_logical', bits, b.splat(9, drawn, 'ui32'));
    const oneToTwo = b.op('stablehlo.bitcast_convert', [b.ew('or', mantissa, b.splat(ONE_F32_BITS, drawn, 'ui32'))], { shape: drawn, elem: 'f32' });
    return [b.reshape(b.ew('subtract', oneToTwo, b.splat(1, drawn, 'f32')), shape)];
  },
};

export const RANDOM_LOWERINGS: readonly KernelLowering[] = [randomUniform];
