import { SeededRandom, type Sample } from '@strata/training';

/**
 * Two interleaved spirals in the plane, labelled 0 and 1, with Gaussian noise: a small task a
 * linear model cannot solve and a two-layer network can.
 */
export function spirals(count: number, seed: number, noise = 0.08): Sample[] {
  const random = new SeededRandom(seed);
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const t = 0.25 + 1.5 * random.next();
    const angle = t * Math.PI + label * Math.PI;
    const x = (t / 3) * Math.cos(angle) + noise * random.nextNormal();
    const y = (t / 3) * Math.sin(angle) + noise * random.nextNormal();
    samples.push({ x: { data: Float32Array.of(x, y), shape: [2] }, y: label });
  }
  return samples;
}
