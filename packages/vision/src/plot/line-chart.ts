import { escapeXml } from './escape-xml.js';

/** One line of a chart. */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  readonly color?: string;
}

/** One panel: a title and its series, drawn against the epoch. */
export interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
  /** Fixed y range; default: the data's range. */
  readonly yRange?: readonly [number, number];
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

/**
 * Draws panels of line charts side by side (x: epoch, y: value) as an SVG string. Hand-written
 * SVG, turned into PNG by sharp (`linePlotPng`), instead of a charting dependency.
 */
export function linePlotSvg(panels: readonly Panel[], size: { width: number; height: number } = { width: 480, height: 320 }): string {
  const { width: W, height: H } = size;
  const m = { left: 56, right: 16, top: 32, bottom: 44 };
  const parts: string[] = [];
  panels.forEach((panel, p) => {
    const ox = p * W;
    const all = panel.series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
    let [lo, hi] = panel.yRange ?? [Math.min(...all), Math.max(...all)];
    if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
    const n = Math.max(2, ...panel.series.map((s) => s.values.length));
    const x = (i: number) => ox + m.left + (i / (n - 1)) * (W - m.left - m.right);
    const y = (v: number) => m.top + (1 - (v - lo) / (hi - lo)) * (H - m.top - m.bottom);
    parts.push(`<rect x="${ox}" y="0" width="${W}" height="${H}" fill="#fff"/>`);
    parts.push(`<text x="${ox + W / 2}" y="20" text-anchor="middle" font-family="sans-serif" font-size="15">${escapeXml(panel.title)}</text>`);
    for (let t = 0; t <= 4; t++) {
      const v = lo + ((hi - lo) * t) / 4;
      parts.push(`<line x1="${ox + m.left}" x2="${ox + W - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
      parts.push(`<text x="${ox + m.left - 6}" y="${y(v) + 4}" text-anchor="end" font-family="sans-serif" font-size="11">${v.toFixed(3)}</text>`);
    }
    for (let i = 0; i < n; i++) {
      if (n > 12 && i % Math.ceil(n / 10) !== 0 && i !== n - 1) continue;
      parts.push(`<text x="${x(i)}" y="${H - m.bottom + 16}" text-anchor="middle" font-family="sans-serif" font-size="11">${i}</text>`);
    }
    parts.push(`<text x="${ox + W / 2}" y="${H - 8}" text-anchor="middle" font-family="sans-serif" font-size="12">epoch</text>`);
    parts.push(`<rect x="${ox + m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#333"/>`);
    // The legend goes in the corner the lines leave free: bottom right when they end high.
    const ends = panel.series.map((s) => s.values[s.values.length - 1]).filter((v) => Number.isFinite(v));
    const endHigh = ends.length > 0 && ends.every((v) => (v - lo) / (hi - lo) > 0.6);
    const legendY = (k: number) => (endHigh ? H - m.bottom - 10 - 15 * (panel.series.length - 1 - k) : m.top + 16 + 15 * k);
    panel.series.forEach((s, k) => {
      const color = s.color ?? PALETTE[k % PALETTE.length];
      const points = s.values.map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : '')).filter(Boolean);
      if (points.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>`);
      for (const pt of points) {
        const [px, py] = pt.split(',');
        parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${color}"/>`);
      }
      parts.push(`<text x="${ox + W - m.right - 6}" y="${legendY(k)}" text-anchor="end" font-family="sans-serif" font-size="12" fill="${color}">${escapeXml(s.name)}</text>`);
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W * panels.length}" height="${H}">${parts.join('')}</svg>`;
}
