import { DataLoader, SeededRandom, arrayDataset, type Sample } from '@strata/training';

/**
 * A fixed, seeded image task for the contract: 8x8x3 images whose label says whether the
 * top-left quadrant is brighter than the bottom-right one.
 */
export function contractSamples(count: number, seed = 3): Sample[] {
  const random = new SeededRandom(seed);
  const samples: Sample[] = [];
  for (let n = 0; n < count; n++) {
    const label = n % 2;
    const data = new Float32Array(8 * 8 * 3);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const bright = (label === 1 && y < 4 && x < 4) || (label === 0 && y >= 4 && x >= 4);
        for (let c = 0; c < 3; c++) data[(y * 8 + x) * 3 + c] = (bright ? 0.8 : 0.2) + 0.3 * random.nextNormal();
      }
    }
    samples.push({ x: { data, shape: [8, 8, 3] }, y: label });
  }
  return samples;
}

export function contractLoader(count = 32, batchSize = 8): DataLoader {
  return new DataLoader(arrayDataset(contractSamples(count)), { batchSize, shuffle: true, seed: 1 });
}
