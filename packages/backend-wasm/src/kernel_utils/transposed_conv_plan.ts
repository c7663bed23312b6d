/**
 * How a convolution's input gradient becomes a stride-1 forward convolution: dx = conv(dilate(dy),
 * flip(W)) where dilate puts stride-1 zeros between dy's values and the padding is what is left
 * of the flipped kernel's reach on each side.
 */
export interface TransposedConvPlan {
  /** Height and width of dy after dilation by the strides. */
  readonly dilatedHeight: number;
  readonly dilatedWidth: number;
  /** Explicit padding for the stride-1 convolution, NHWC order, as tfjs's `ExplicitPadding`. */
  readonly pad: [[number, number], [number, number], [number, number], [number, number]];
}

export interface TransposedConvInput {
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  /** Effective filter size, dilation included. */
  readonly effectiveFilterHeight: number;
  readonly effectiveFilterWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** The plan, or undefined where a side's padding would be negative (padding wider than the kernel). */
export function planTransposedConv(c: TransposedConvInput): TransposedConvPlan | undefined {
  const dilatedHeight = (c.outHeight - 1) * c.strideHeight + 1;
  const dilatedWidth = (c.outWidth - 1) * c.strideWidth + 1;
  const top = c.effectiveFilterHeight - 1 - c.padTop;
  const left = c.effectiveFilterWidth - 1 - c.padLeft;
  const bottom = c.inHeight - dilatedHeight - top + c.effectiveFilterHeight - 1;
  const right = c.inWidth - dilatedWidth - left + c.effectiveFilterWidth - 1;
  if (top < 0 || left < 0 || bottom < 0 || right < 0) return undefined;
  return { dilatedHeight, dilatedWidth, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] };
}

/**
 * Copies dy [batch, outH, outW, channels·multiplier] into `out` [batch, dilatedH, dilatedW,
 * channels], zero-filled beforehand, placing dy[b, oh, ow, c·multiplier + m] at
 * (b, oh·strideH, ow·strideW, c). With multiplier 1 and stride 1 this is not needed at all.
 */
export function dilateChannels(
  dy: Float32Array,
  shape: { batch: number; outHeight: number; outWidth: number; channels: number; multiplier: number; m: number },
  strideHeight: number,
  strideWidth: number,
  dilatedHeight: number,
  dilatedWidth: number,
  out: Float32Array,
): void {
  const { batch, outHeight, outWidth, channels, multiplier, m } = shape;
  const dyDepth = channels * multiplier;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      let src = ((b * outHeight + oh) * outWidth) * dyDepth + m;
      let dst = ((b * dilatedHeight + oh * strideHeight) * dilatedWidth) * channels;
      for (let ow = 0; ow < outWidth; ow++, src += dyDepth, dst += strideWidth * channels) {
        if (multiplier === 1) {
          out.set(dy.subarray(src, src + channels), dst);
        } else {
          for (let c = 0; c < channels; c++) out[dst + c] = dy[src + c * multiplier];
        }
      }
    }
  }
}
