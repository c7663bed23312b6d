import { cropImage, type HwcImage } from '../image/hwc-image.js';
import { assertCropFits } from './crop-size.js';
import { positiveInt, probability, type Transform } from './transform.js';

/**
 * Cuts the central height x width window (the top-left corner at floor((H - h) / 2),
 * floor((W - w) / 2), as albumentations).
 *
 * @example
 * const val = new Compose([new CenterCrop(224, 224), new Normalize(), new ToTensor()]);
 */
export class CenterCrop implements Transform {
  readonly p: number;

  constructor(
    readonly height: number,
    readonly width: number,
    options: { p?: number } = {},
  ) {
    positiveInt('height', height);
    positiveInt('width', width);
    this.p = probability(options.p, 1);
  }

  apply(image: HwcImage): HwcImage {
    assertCropFits('CenterCrop', image, this.height, this.width);
    const top = Math.floor((image.height - this.height) / 2);
    const left = Math.floor((image.width - this.width) / 2);
    return cropImage(image, top, left, this.height, this.width);
  }
}
