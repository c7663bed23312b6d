import { StrataError, quote } from '@strata/core';
import { bitmapPixels } from './canvas-pixels.js';
import { DEFAULT_MAX_PIXELS, type DecodeOptions } from './decode-options.js';
import type { HwcImage } from './hwc-image.js';
import { imageHeaderSize } from './image-header-size.js';

export { DEFAULT_MAX_PIXELS, type DecodeOptions };

/**
 * Decodes a JPEG or PNG (a URL, fetched, or bytes) to an RGB `HwcImage` of uint8 with the
 * browser's decoder (`createImageBitmap`, drawn on an `OffscreenCanvas`), the same layout as
 * the Node build's sharp decoding. The size is checked from the header before decoding; a
 * missing or undecodable image is a `data-error` that names it. Runs in pages and workers.
 *
 * @example
 * const image = await decodeImage('images/ISIC_0015719.jpg'); // { height: 256, width: 256, channels: 3 }
 */
export async function decodeImage(source: string | Uint8Array, options: DecodeOptions = {}): Promise<HwcImage> {
  const name = typeof source === 'string' ? source : `<${source.byteLength} bytes>`;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  const bytes = typeof source === 'string' ? await fetchImage(source) : source;
  const declared = imageHeaderSize(bytes);
  if (declared !== undefined && declared.width * declared.height > maxPixels) throw tooLarge(name, maxPixels);
  let bitmap: ImageBitmap;
  try {
    const resize = options.resizeTo ? { resizeWidth: options.resizeTo.width, resizeHeight: options.resizeTo.height, resizeQuality: 'high' as const } : {};
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), { premultiplyAlpha: 'none', ...resize });
  } catch (cause) {
    throw new StrataError('data-error', `Cannot decode image ${quote(name)}: ${(cause as Error)?.message ?? String(cause)}.`, {
      value: name,
      cause,
      fix: 'the file is truncated, corrupt or not an image: re-download or remove it.',
    });
  }
  try {
    if (declared === undefined && bitmap.width * bitmap.height > maxPixels && !options.resizeTo) throw tooLarge(name, maxPixels);
    return bitmapPixels(bitmap, 3);
  } finally {
    bitmap.close();
  }
}

async function fetchImage(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new StrataError('data-error', `Image ${quote(url)} could not be fetched: ${(cause as Error)?.message ?? String(cause)}.`, {
      value: url,
      cause,
      fix: 'check the URL and that the page may fetch it (same origin, or CORS headers).',
    });
  }
  if (!response.ok) {
    throw new StrataError('data-error', `Image ${quote(url)} does not exist (HTTP ${response.status}).`, {
      value: url,
      fix: 'check the image URL and the names in the dataset.',
    });
  }
  return new Uint8Array(await response.arrayBuffer());
}

function tooLarge(name: string, maxPixels: number): StrataError {
  return new StrataError('data-error', `Image ${quote(name)} has more than ${maxPixels} pixels (decompression bomb guard).`, {
    value: name,
    fix: 'downscale the image beforehand, or raise maxPixels if it is trusted.',
  });
}
