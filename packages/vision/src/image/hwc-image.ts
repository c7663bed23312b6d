/**
 * An image in host memory, height x width x channels, row-major (the layout of sharp's raw
 * output and of tfjs's NHWC tensors). uint8 until `Normalize` turns it into float32.
 */
export interface HwcImage {
  readonly data: Uint8Array | Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** A new zero image of the same kind (uint8 or float32) as `like`. */
export function blankLike(like: HwcImage, height: number, width: number): HwcImage {
  const size = height * width * like.channels;
  const data = like.data instanceof Float32Array ? new Float32Array(size) : new Uint8Array(size);
  return { data, height, width, channels: like.channels };
}

/** Copies the pixels of a rectangle (top, left, height, width), which must lie inside `image`. */
export function cropImage(image: HwcImage, top: number, left: number, height: number, width: number): HwcImage {
  const out = blankLike(image, height, width);
  const c = image.channels;
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * c;
    out.data.set(image.data.subarray(from, from + width * c), y * width * c);
  }
  return out;
}
