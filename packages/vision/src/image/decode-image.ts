import sharp from 'sharp';
import { StrataError, quote } from '@strata/core';
import { DEFAULT_MAX_PIXELS, type DecodeOptions } from './decode-options.js';
import type { HwcImage } from './hwc-image.js';

export { DEFAULT_MAX_PIXELS, type DecodeOptions };

/**
 * Decodes a JPEG or PNG (file path or bytes) to an RGB `HwcImage` of uint8 with sharp (a
 * browser build decodes with `createImageBitmap` instead, the same output).
 * A truncated or corrupt file, a missing file or an oversized image is a `data-error` that
 * names the file.
 *
 * @example
 * const image = await decodeImage('train/ISIC_0015719.jpg'); // { height: 256, width: 256, channels: 3 }
 */
export async function decodeImage(source: string | Uint8Array, options: DecodeOptions = {}): Promise<HwcImage> {
  const name = typeof source === 'string' ? source : `<${source.byteLength} bytes>`;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  try {
    // failOn 'error' rejects truncated and corrupt data instead of returning grey pixels.
    let pipeline = sharp(source, { failOn: 'error', limitInputPixels: maxPixels }).removeAlpha().toColourspace('srgb');
    if (options.resizeTo) pipeline = pipeline.resize(options.resizeTo.width, options.resizeTo.height, { fit: 'fill' });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), height: info.height, width: info.width, channels: info.channels };
  } catch (cause) {
    throw decodeError(name, cause, maxPixels);
  }
}

function decodeError(name: string, cause: unknown, maxPixels: number): StrataError {
  const message = (cause as Error)?.message ?? String(cause);
  const code = (cause as { code?: string } | null)?.code;
  if (code === 'ENOENT' || /Input file is missing/.test(message)) {
    return new StrataError('data-error', `Image file ${quote(name)} does not exist.`, { value: name, cause, fix: 'check the data directory and the image names in the CSV.' });
  }
  if (/pixel limit/i.test(message)) {
    return new StrataError('data-error', `Image ${quote(name)} has more than ${maxPixels} pixels (decompression bomb guard).`, {
      value: name,
      cause,
      fix: 'downscale the image beforehand, or raise maxPixels if it is trusted.',
    });
  }
  return new StrataError('data-error', `Cannot decode image ${quote(name)}: ${message.trim()}.`, {
    value: name,
    cause,
    fix: 'the file is truncated or corrupt: re-download or remove it.',
  });
}
