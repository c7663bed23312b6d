import { ms, withCommas } from './format.js';
import { rowLabel } from './markdown-table.js';
import type { BenchReport, RowResult } from './report-types.js';

const WIDTH = 900;
const LABEL_W = 230;
const VALUE_W = 150;
const BAR_H = 18;
const GAP = 6;
const COLORS = { strategy: '#3b6fb6', peer: '#d2772b', missing: '#999999' } as const;

/**
 * A horizontal bar chart of the median step time per strategy and peer (min–max as a whisker),
 * one group per model, on a log scale since rows differ by orders of magnitude. Plain SVG, no fonts
 * or libraries needed to render it.
 */
export function renderSvgChart(report: BenchReport): string {
  const models = [...new Set(report.rows.map((r) => r.model))];
  const measured = report.rows.filter((r) => r.stats);
  const lo = Math.min(...measured.map((r) => r.stats!.minMs), 10);
  const hi = Math.max(...measured.map((r) => r.stats!.maxMs), 100);
  const decadeLo = Math.floor(Math.log10(lo));
  const decadeHi = Math.ceil(Math.log10(hi));
  const plotW = WIDTH - LABEL_W - VALUE_W;
  const x = (value: number) => LABEL_W + ((Math.log10(value) - decadeLo) / (decadeHi - decadeLo)) * plotW;

  const parts: string[] = [];
  let y = 64;
  for (const model of models) {
    parts.push(`<text x="8" y="${y + 12}" font-weight="bold">${esc(model)}</text>`);
    y += 20;
    for (const row of report.rows.filter((r) => r.model === model)) {
      parts.push(bar(row, y, x));
      y += BAR_H + GAP;
    }
    y += 10;
  }
  const axisY = y;
  for (let d = decadeLo; d <= decadeHi; d++) {
    const tick = x(10 ** d);
    parts.push(`<line x1="${tick.toFixed(1)}" y1="56" x2="${tick.toFixed(1)}" y2="${axisY}" stroke="#dddddd"/>`);
    parts.push(`<text x="${tick.toFixed(1)}" y="${axisY + 14}" text-anchor="middle">${esc(withCommas(10 ** d))}</text>`);
  }
  parts.push(`<text x="${LABEL_W + plotW / 2}" y="${axisY + 30}" text-anchor="middle">median ms per training step (log scale; whisker: min–max; lower is better)</text>`);
  const height = axisY + 44;
  const { cpu } = report.machine;
  // Each model's batch ('tiny-cnn b32, mlp b64'); a report from before per-model batches has one in its settings.
  const batches = Object.entries(report.models).map(([name, m]) => `${name} b${m.batchSize ?? report.settings.batchSize ?? '?'}`);
  const title = `Strata training step, ${batches.join(', ')}, images ${report.settings.imageSize}x${report.settings.imageSize}`;
  const subtitle = `${cpu.model}, ${cpu.cores} cores, ${report.machine.os}; ${report.date}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="8" y="38" fill="#555555">${esc(subtitle)}</text>`,
    `<rect x="${WIDTH - 250}" y="8" width="12" height="12" fill="${COLORS.strategy}"/><text x="${WIDTH - 234}" y="18">Strata strategy</text>`,
    `<rect x="${WIDTH - 130}" y="8" width="12" height="12" fill="${COLORS.peer}"/><text x="${WIDTH - 114}" y="18">peer</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function bar(row: RowResult, y: number, x: (v: number) => number): string {
  const label = `<text x="${LABEL_W - 8}" y="${y + 13}" text-anchor="end">${esc(rowLabel(row))}</text>`;
  if (!row.stats) {
    const why = row.status === 'ok' ? 'no steps' : row.status;
    return `${label}<text x="${LABEL_W + 4}" y="${y + 13}" fill="${COLORS.missing}">${esc(why)}</text>`;
  }
  const { medianMs, minMs, maxMs } = row.stats;
  // The axis starts at a power of ten below every minimum, so every bar starts at the axis.
  const start = LABEL_W;
  const w = Math.max(1, x(medianMs) - start);
  const mid = y + BAR_H / 2;
  return [
    label,
    `<rect x="${start.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${COLORS[row.kind]}"/>`,
    `<line x1="${x(minMs).toFixed(1)}" y1="${mid}" x2="${x(maxMs).toFixed(1)}" y2="${mid}" stroke="black"/>`,
    `<text x="${(x(maxMs) + 6).toFixed(1)}" y="${y + 13}">${esc(ms(medianMs))} ms</text>`,
  ].join('');
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
