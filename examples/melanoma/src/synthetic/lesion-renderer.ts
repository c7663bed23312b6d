import { SeededRandom } from '@strata/training';

type Rgb = readonly [number, number, number];

/** Dermoscopic colours: the ABCD rule's "several colours" counts these. */
const COLORS = {
  lightBrown: [181, 124, 84],
  brown: [139, 86, 54],
  darkBrown: [92, 56, 38],
  black: [44, 32, 32],
  blueGrey: [104, 112, 136],
  red: [172, 76, 74],
  white: [214, 198, 196],
} satisfies Record<string, Rgb>;

/** Base colours of a lesion, the same for both classes, so the mean colour says little. */
const BASE_COLORS: Rgb[] = [COLORS.lightBrown, COLORS.brown, COLORS.darkBrown, COLORS.blueGrey, [66, 44, 40]];
const EXTRA_COLORS: Rgb[] = [COLORS.black, COLORS.blueGrey, COLORS.red, COLORS.white, COLORS.darkBrown, COLORS.lightBrown];

/** What varies per patient: the skin tone. */
export interface PatientLook {
  readonly skin: Rgb;
}

/** Draws a patient's skin tone. */
export function drawPatient(random: SeededRandom): PatientLook {
  const t = random.next();
  const light: Rgb = [236, 202, 182];
  const dark: Rgb = [176, 126, 100];
  return { skin: light.map((l, k) => l + (dark[k] - l) * t) as unknown as Rgb };
}

/**
 * Draws a dermoscopy-like image of `size` x `size` RGB pixels: skin with shading, texture and
 * hairs, and one lesion. A melanoma shows the clinical ABCD cues: Asymmetry (odd harmonics of
 * its outline), an irregular Border (high harmonics), several Colours (blotches of black, blue-
 * grey, red, white), a larger Diameter. A benign naevus is a near-ellipse of one colour. The cues
 * overlap between the classes and everything sits at a random place, orientation, skin tone and
 * lighting, so that a linear model on pixels does poorly and a convnet does well.
 */
export function renderLesion(size: number, melanoma: boolean, patient: PatientLook, random: SeededRandom): Uint8Array {
  const cx = (random.next() - 0.5) * 0.5;
  const cy = (random.next() - 0.5) * 0.5;
  const radius = melanoma ? 0.28 + 0.24 * random.next() : 0.26 + 0.24 * random.next();
  const harmonics: { k: number; a: number; phase: number }[] = [{ k: 2, a: 0.2 * random.next(), phase: 2 * Math.PI * random.next() }];
  if (melanoma) {
    harmonics.push({ k: 1, a: 0.1 + 0.15 * random.next(), phase: 2 * Math.PI * random.next() });
    harmonics.push({ k: 3, a: 0.12 + 0.14 * random.next(), phase: 2 * Math.PI * random.next() });
    for (let k = 5; k <= 11; k++) harmonics.push({ k, a: (0.02 + 0.04 * random.next()) * (7 / k), phase: 2 * Math.PI * random.next() });
  } else {
    for (let k = 4; k <= 6; k++) harmonics.push({ k, a: 0.015 * random.next(), phase: 2 * Math.PI * random.next() });
  }
  const edge = melanoma ? 0.015 + 0.03 * random.next() : 0.012 + 0.02 * random.next();

  const tint = 0.85 + 0.3 * random.next();
  const base = BASE_COLORS[random.nextInt(BASE_COLORS.length)].map((c) => Math.min(255, c * tint)) as unknown as Rgb;
  const blotches: { x: number; y: number; r: number; color: Rgb }[] = [];
  if (melanoma) {
    const count = 2 + random.nextInt(2);
    for (let i = 0; i < count; i++) {
      const angle = 2 * Math.PI * random.next();
      const dist = radius * 0.8 * random.next();
      blotches.push({ x: cx + dist * Math.cos(angle), y: cy + dist * Math.sin(angle), r: radius * (0.25 + 0.25 * random.next()), color: EXTRA_COLORS[random.nextInt(EXTRA_COLORS.length)] });
    }
  }
  const darkenCentre = 0.15 * random.next();

  const skin = patient.skin.map((c) => c + (random.next() - 0.5) * 16);
  const shadeAngle = 2 * Math.PI * random.next();
  const shade = 0.12 * random.next();
  const vignette = random.next() < 0.3;
  const hairs = Array.from({ length: random.next() < 0.4 ? 1 + random.nextInt(3) : 0 }, () => ({
    a: Math.tan(Math.PI * (random.next() - 0.5)),
    b: (random.next() - 0.5) * 1.6,
    bend: (random.next() - 0.5) * 0.8,
    width: 0.006 + 0.008 * random.next(),
  }));

  // Beyond this distance from the centre no pixel belongs to the lesion: skip the outline there.
  const reach = radius * (1 + harmonics.reduce((sum, h) => sum + h.a, 0)) + 8 * edge;
  const out = new Uint8Array(size * size * 3);
  for (let py = 0; py < size; py++) {
    const y = ((py + 0.5) / size) * 2 - 1;
    for (let px = 0; px < size; px++) {
      const x = ((px + 0.5) / size) * 2 - 1;
      const light = 1 + shade * (x * Math.cos(shadeAngle) + y * Math.sin(shadeAngle));
      let r = skin[0] * light;
      let g = skin[1] * light;
      let b = skin[2] * light;

      const dx = x - cx;
      const dy = y - cy;
      const d = Math.hypot(dx, dy);
      let alpha = 0;
      let boundary = 0;
      if (d < reach) {
        const theta = Math.atan2(dy, dx);
        let outline = 1;
        for (const h of harmonics) outline += h.a * Math.cos(h.k * theta + h.phase);
        boundary = radius * outline;
        const z = (d - boundary) / edge;
        alpha = z > 8 ? 0 : z < -8 ? 1 : 1 / (1 + Math.exp(z));
      }
      if (alpha > 0.003) {
        const inner = 1 - darkenCentre * Math.max(0, 1 - d / Math.max(boundary, 1e-3));
        let lr = base[0] * inner;
        let lg = base[1] * inner;
        let lb = base[2] * inner;
        for (const blotch of blotches) {
          const z = (Math.hypot(x - blotch.x, y - blotch.y) - blotch.r) / 0.02;
          if (z > 8) continue;
          const w = z < -8 ? 1 : 1 / (1 + Math.exp(z));
          lr += (blotch.color[0] - lr) * w;
          lg += (blotch.color[1] - lg) * w;
          lb += (blotch.color[2] - lb) * w;
        }
        r += (lr - r) * alpha;
        g += (lg - g) * alpha;
        b += (lb - b) * alpha;
      }
      for (const hair of hairs) {
        const expected = hair.a * x + hair.b + hair.bend * x * x;
        const dist = Math.abs(y - expected) / Math.sqrt(1 + hair.a * hair.a);
        if (dist < hair.width * 2) {
          const w = Math.max(0, 1 - dist / (hair.width * 2));
          r += (60 - r) * w;
          g += (45 - g) * w;
          b += (40 - b) * w;
        }
      }
      if (vignette && x * x + y * y > 1.05) {
        r *= 0.15;
        g *= 0.15;
        b *= 0.15;
      }
      // Sensor noise, near-Gaussian (sum of three uniforms, sd 4) and cheaper than Box-Muller.
      const noise = (random.next() + random.next() + random.next() - 1.5) * 8;
      const o = (py * size + px) * 3;
      out[o] = clamp(r + noise);
      out[o + 1] = clamp(g + noise);
      out[o + 2] = clamp(b + noise);
    }
  }
  return out;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
