import { join } from 'node:path';
import type { Dataset, Sample } from '@strata/training';

// The loader's per-sample context (seed, epoch), the second argument of Dataset.get.
type SampleContext = NonNullable<Parameters<Dataset['get']>[1]>;
import { SeededRandom } from '@strata/training';
import { CenterCrop, ColorJitter, Compose, HorizontalFlip, Normalize, RandomCrop, RandomResizedCrop, RandomRotate90, Resize, ShiftScaleRotate, ToTensor, VerticalFlip, decodeImage, type HwcImage } from '@strata/vision';

/** Everything a worker needs to rebuild the dataset: plain data, structured-cloneable. */
export interface MelanomaDatasetArgs {
  readonly dataDir: string;
  readonly images: readonly { readonly imageName: string; readonly target: number }[];
  readonly split: 'train' | 'val';
  /** Side of the square model input. */
  readonly imageSize: number;
  /**
   * 'full' (default): the example's augmentations (`trainTransforms`) for training, a resize for
   * validation. 'crop': the seed's, a RandomCrop of `imageSize` for training and a CenterCrop for
   * validation, from the image resized to `cropFrom`.
   */
  readonly augment?: 'full' | 'crop';
  /** With 'crop': the side the image is resized to before the crop (default `imageSize`: the whole image, as the seed's 256 crop of 256x256 images). */
  readonly cropFrom?: number;
  /** Cap on decoded pixels (decompression bombs). */
  readonly maxPixels?: number;
}

/** The training augmentations: albumentations-style, applied to uint8 pixels before Normalize. */
export function trainTransforms(size: number): Compose {
  return new Compose([
    new RandomResizedCrop(size, size, { scale: [0.7, 1], ratio: [0.85, 1.18] }),
    new HorizontalFlip({ p: 0.5 }),
    new VerticalFlip({ p: 0.5 }),
    new RandomRotate90({ p: 0.5 }),
    new ShiftScaleRotate({ shiftLimit: 0.05, scaleLimit: 0.05, rotateLimit: 20, p: 0.3 }),
    new ColorJitter({ brightness: 0.15, contrast: 0.15, saturation: 0.1, hue: 0.02, p: 0.5 }),
  ]);
}

/** The seed's augmentations: RandomCrop for training, CenterCrop for validation. */
export function cropTransforms(size: number, split: 'train' | 'val'): Compose {
  return new Compose([split === 'train' ? new RandomCrop(size, size) : new CenterCrop(size, size)]);
}

/**
 * Melanoma images and labels: decodes `train/<image_name>.jpg` with sharp (resizing on load:
 * to twice the model size for the full augmentations, which keeps crops sharp and decoding
 * cheap, to `cropFrom` for the seed's crops), augments (training split) or resizes or
 * centre-crops (validation), normalises with ImageNet statistics. Each sample is
 * `{ x: [size, size, 3] float32, y: 0 | 1 }`. Augmentation is seeded by the loader's per-sample
 * seed, so runs repeat exactly whichever worker loads a sample.
 */
export class MelanomaDataset {
  readonly length: number;
  /** How DataLoader workers rebuild this dataset. */
  readonly workerSource;
  private readonly augment: Compose;
  private readonly finish = new Compose([new Normalize(), new ToTensor()]);

  constructor(readonly args: MelanomaDatasetArgs) {
    this.length = args.images.length;
    // Workers load compiled JavaScript: from the TypeScript sources (tests), that is dist/.
    const module = import.meta.url.replace(/\/src\/melanoma-dataset\.ts$/, '/dist/melanoma-dataset.js');
    this.workerSource = { module, exportName: 'createMelanomaDataset', args };
    if (args.augment === 'crop') this.augment = cropTransforms(args.imageSize, args.split);
    else this.augment = args.split === 'train' ? trainTransforms(args.imageSize) : new Compose([new Resize(args.imageSize, args.imageSize)]);
  }

  /** The side images are decoded at. */
  get decodeSize(): number {
    const { augment, cropFrom, imageSize, split } = this.args;
    if (augment === 'crop') return cropFrom ?? imageSize;
    return split === 'train' ? 2 * imageSize : imageSize;
  }

  /** The augmented uint8 image of sample `index` (for grids). */
  async image(index: number, seed: number): Promise<HwcImage> {
    const { dataDir, images } = this.args;
    const file = join(dataDir, 'train', `${images[index].imageName}.jpg`);
    const decodeSize = this.decodeSize;
    const decoded = await decodeImage(file, { maxPixels: this.args.maxPixels, resizeTo: { height: decodeSize, width: decodeSize } });
    return this.augment.run(decoded, new SeededRandom(seed));
  }

  async get(index: number, context?: SampleContext): Promise<Sample> {
    const image = await this.image(index, context?.seed ?? index);
    const tensor = await this.finish.run(image, 0);
    return { x: ToTensor.toHostTensor(tensor), y: this.args.images[index].target };
  }
}

/** The factory DataLoader workers call (see `workerSource`). */
export function createMelanomaDataset(args: MelanomaDatasetArgs): MelanomaDataset {
  return new MelanomaDataset(args);
}
