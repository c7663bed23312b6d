import { invalidOption, type SeededRandom } from '@strata/core';
import type { HwcImage } from '../image/hwc-image.js';
import { probability, uniform, type Transform } from './transform.js';

export interface ColorJitterOptions {
  /** Brightness factor drawn from [1 - b, 1 + b] (default 0.2). */
  readonly brightness?: number;
  /** Contrast factor drawn from [1 - c, 1 + c] (default 0.2). */
  readonly contrast?: number;
  /** Saturation factor drawn from [1 - s, 1 + s] (default 0.2). */
  readonly saturation?: number;
  /** Hue shift drawn from [-h, h], in turns of the colour wheel, h <= 0.5 (default 0.05). */
  readonly hue?: number;
  readonly p?: number;
}

/**
 * Random brightness, contrast, saturation and hue, with torchvision's definitions: brightness
 * scales, contrast blends with the mean grey level, saturation blends with the greyscale image,
 * hue rotates in HSV. Applied in that fixed order, on RGB uint8 images.
 *
 * @example
 * new Compose([new ColorJitter({ brightness: 0.2, contrast: 0.2, saturation: 0.2, hue: 0.02, p: 0.8 })]);
 */
export class ColorJitter implements Transform {
  readonly p: number;
  readonly brightness: number;
  readonly contrast: number;
  readonly saturation: number;
  readonly hue: number;

  constructor(options: ColorJitterOptions = {}) {
    this.brightness = nonNegative('brightness', options.brightness, 0.2);
    this.contrast = nonNegative('contrast', options.contrast, 0.2);
    this.saturation = nonNegative('saturation', options.saturation, 0.2);
    this.hue = nonNegative('hue', options.hue, 0.05);
    if (this.hue > 0.5) invalidOption('hue', options.hue, 'a number in [0, 0.5]');
    this.p = probability(options.p, 0.5);
  }

  apply(image: HwcImage, random: SeededRandom): HwcImage {
    const b = uniform(random, 1 - this.brightness, 1 + this.brightness);
    const c = uniform(random, 1 - this.contrast, 1 + this.contrast);
    const s = uniform(random, 1 - this.saturation, 1 + this.saturation);
    const h = uniform(random, -this.hue, this.hue);
    return jitter(image, b, c, s, h);
  }
}

/** Applies the four factors; exported for tests. */
export function jitter(image: HwcImage, brightness: number, contrast: number, saturation: number, hue: number): HwcImage {
  const n = image.height * image.width;
  const src = image.data;
  const rgb = new Float32Array(n * 3);
  let greySum = 0;
  for (let i = 0; i < n; i++) {
    const r = Math.min(255, src[i * 3] * brightness);
    const g = Math.min(255, src[i * 3 + 1] * brightness);
    const bl = Math.min(255, src[i * 3 + 2] * brightness);
    rgb[i * 3] = r;
    rgb[i * 3 + 1] = g;
    rgb[i * 3 + 2] = bl;
    greySum += 0.299 * r + 0.587 * g + 0.114 * bl;
  }
  const mean = greySum / n;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    let r = clamp((rgb[i * 3] - mean) * contrast + mean);
    let g = clamp((rgb[i * 3 + 1] - mean) * contrast + mean);
    let bl = clamp((rgb[i * 3 + 2] - mean) * contrast + mean);
    const grey = 0.299 * r + 0.587 * g + 0.114 * bl;
    r = clamp((r - grey) * saturation + grey);
    g = clamp((g - grey) * saturation + grey);
    bl = clamp((bl - grey) * saturation + grey);
    if (hue !== 0) [r, g, bl] = shiftHue(r, g, bl, hue);
    out[i * 3] = Math.round(r);
    out[i * 3 + 1] = Math.round(g);
    out[i * 3 + 2] = Math.round(bl);
  }
  return { data: out, height: image.height, width: image.width, channels: 3 };
}

function shiftHue(r: number, g: number, b: number, shift: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const delta = max - min;
  if (delta === 0) return [r, g, b];
  let h = max === r ? ((g - b) / delta) % 6 : max === g ? (b - r) / delta + 2 : (r - g) / delta + 4;
  h = (((h / 6 + shift) % 1) + 1) % 1;
  const s = delta / max;
  const v = max;
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  switch (i % 6) {
    case 0: return [v, t, p];
    case 1: return [q, v, p];
    case 2: return [p, v, t];
    case 3: return [p, q, v];
    case 4: return [t, p, v];
    default: return [v, p, q];
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) invalidOption(name, value, 'a number >= 0');
  return v;
}
