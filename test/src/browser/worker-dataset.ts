// The dataset of the browser platform page: bundled on its own as the module the page's
// data-loading Web Workers import (and imported by the page for its main-thread copy).
// Sample i is a point on a plane y = 2 x0 - x1 + 0.5, the same in every realm; with `image`
// (a URL), each sample also carries the sum of that image's pixels, decoded where it loads.
import type { Dataset, Sample } from '@strata/training';
import { decodeImage } from '@strata/vision';

export function createDataset({ length, image }: { length: number; image?: string }): Dataset<Sample> {
  return {
    length,
    async get(index: number) {
      const x0 = index / length;
      const x1 = (index % 7) / 7;
      const sample = { x: { data: Float32Array.of(x0, x1), shape: [2] }, y: 2 * x0 - x1 + 0.5 };
      if (image === undefined) return sample;
      const { data } = await decodeImage(image);
      return { ...sample, pixelSum: Array.from(data).reduce((a, b) => a + b, 0) };
    },
  };
}
