import type { HostTensor } from '@strata/core';
import type { HwcImage } from '../image/hwc-image.js';
import type { Transform } from './transform.js';

/**
 * Makes the image float32, ready for a batch; its layout stays height x width x channels,
 * which is tfjs's NHWC (where PyTorch's ToTensorV2 moves channels first). Values are not
 * rescaled: that is `Normalize`'s job. `toHostTensor` gives the `HostTensor` a `Sample` holds.
 *
 * @example
 * const image = await new Compose([new Normalize(), new ToTensor()]).run(decoded, seed);
 * const sample = { x: ToTensor.toHostTensor(image), y: 1 };
 */
export class ToTensor implements Transform {
  readonly p: number = 1;

  apply(image: HwcImage): HwcImage {
    const data = image.data instanceof Float32Array ? image.data : Float32Array.from(image.data);
    return { data, height: image.height, width: image.width, channels: image.channels };
  }

  /** The image as a float32 host tensor of shape [height, width, channels]. */
  static toHostTensor(image: HwcImage): HostTensor {
    const data = image.data instanceof Float32Array ? image.data : Float32Array.from(image.data);
    return { data, shape: [image.height, image.width, image.channels], dtype: 'float32' };
  }
}
