import type { Dataset, Sample } from '@strata/training';
import { Compose, Normalize, ToTensor, type HwcImage } from '@strata/vision';

/**
 * The decoded sample images with their labels, normalised as the melanoma example's validation
 * images are (ImageNet statistics) and without augmentation, so that a run in the page and one
 * in Node see the same numbers. Each sample is `{ x: [size, size, 3] float32, y: 0 | 1 }`.
 */
export class SampleDataset implements Dataset {
  readonly length: number;
  private readonly finish = new Compose([new Normalize(), new ToTensor()]);

  constructor(
    private readonly images: readonly HwcImage[],
    private readonly targets: readonly number[],
  ) {
    if (images.length !== targets.length) {
      throw new RangeError(`SampleDataset got ${images.length} images and ${targets.length} labels; give one label per image.`);
    }
    this.length = images.length;
  }

  async get(index: number): Promise<Sample> {
    const tensor = await this.finish.run(this.images[index], 0);
    return { x: ToTensor.toHostTensor(tensor), y: this.targets[index] };
  }
}
