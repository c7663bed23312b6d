/**
 * The compound-scaling rules of EfficientNet (Tan & Le, 2019), as in the reference
 * implementation: channel counts are rounded to multiples of 8 (never dropping more than 10%)
 * and repeats are rounded up.
 */
export function roundFilters(filters: number, widthMultiplier: number, divisor = 8): number {
  const scaled = filters * widthMultiplier;
  let rounded = Math.max(divisor, Math.floor((scaled + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * scaled) rounded += divisor;
  return rounded;
}

export function roundRepeats(repeats: number, depthMultiplier: number): number {
  return Math.ceil(depthMultiplier * repeats);
}

/** One stage of MBConv blocks, as in Table 1 of the paper. */
export interface BlockArgs {
  readonly kernelSize: number;
  readonly repeats: number;
  readonly filtersIn: number;
  readonly filtersOut: number;
  readonly expandRatio: number;
  readonly stride: number;
  readonly seRatio: number;
}

/** EfficientNet-B0's seven stages (the baseline network found by the architecture search). */
export const B0_BLOCKS: readonly BlockArgs[] = [
  { kernelSize: 3, repeats: 1, filtersIn: 32, filtersOut: 16, expandRatio: 1, stride: 1, seRatio: 0.25 },
  { kernelSize: 3, repeats: 2, filtersIn: 16, filtersOut: 24, expandRatio: 6, stride: 2, seRatio: 0.25 },
  { kernelSize: 5, repeats: 2, filtersIn: 24, filtersOut: 40, expandRatio: 6, stride: 2, seRatio: 0.25 },
  { kernelSize: 3, repeats: 3, filtersIn: 40, filtersOut: 80, expandRatio: 6, stride: 2, seRatio: 0.25 },
  { kernelSize: 5, repeats: 3, filtersIn: 80, filtersOut: 112, expandRatio: 6, stride: 1, seRatio: 0.25 },
  { kernelSize: 5, repeats: 4, filtersIn: 112, filtersOut: 192, expandRatio: 6, stride: 2, seRatio: 0.25 },
  { kernelSize: 3, repeats: 1, filtersIn: 192, filtersOut: 320, expandRatio: 6, stride: 1, seRatio: 0.25 },
];
