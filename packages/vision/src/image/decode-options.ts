export interface DecodeOptions {
  /**
   * Largest image accepted, in pixels (width x height), checked from the header before the
   * pixels are decoded, against decompression bombs. Default 64 megapixels.
   */
  readonly maxPixels?: number;
  /** Resize while decoding (JPEG shrink-on-load makes this much cheaper than after). */
  readonly resizeTo?: { readonly height: number; readonly width: number };
}

/** Default cap on decoded pixels: 8192 x 8192. */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;
