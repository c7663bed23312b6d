/** What the chart shows: the loss per optimizer step, the validation AUC at each epoch's last step. */
export interface ChartSeries {
  readonly losses: { step: number; loss: number }[];
  readonly aucs: { step: number; epoch: number; auc: number }[];
}

const SVG = 'http://www.w3.org/2000/svg';
const PAD = { left: 48, right: 48, top: 16, bottom: 28 };

/**
 * Draws the training loss (blue, left axis from 0 to its largest value) and the validation AUC
 * (green, right axis from 0 to 1) against the optimizer step, into an `<svg>`, redrawn on each
 * new point. The drawn numbers are also kept in the element's `data-series` attribute (JSON), so
 * they can be copied from the page.
 */
export class LiveChart {
  readonly series: ChartSeries = { losses: [], aucs: [] };

  constructor(private readonly svg: SVGSVGElement) {}

  /** Adds the loss of `step`; points at `step` or later go first (a resumed run trains them again). */
  addLoss(step: number, loss: number): void {
    const kept = this.series.losses.filter((p) => p.step < step);
    this.series.losses.splice(0, Infinity, ...kept, { step, loss });
    this.draw();
  }

  addAuc(step: number, epoch: number, auc: number): void {
    this.series.aucs.push({ step, epoch, auc });
    this.draw();
  }

  /** Replaces everything drawn with `series` (the curve so far, after a reload). */
  restore(series: ChartSeries): void {
    if (series === this.series) return this.draw();
    this.series.losses.splice(0, Infinity, ...series.losses);
    this.series.aucs.splice(0, Infinity, ...series.aucs);
    this.draw();
  }

  private draw(): void {
    const { losses, aucs } = this.series;
    this.svg.dataset.series = JSON.stringify(this.series);
    const width = this.svg.clientWidth || 800;
    const height = this.svg.clientHeight || 260;
    this.svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    this.svg.replaceChildren();
    const lastStep = Math.max(1, ...losses.map((p) => p.step), ...aucs.map((p) => p.step));
    const maxLoss = Math.max(1e-6, ...losses.map((p) => p.loss).filter(Number.isFinite));
    const x = (step: number) => PAD.left + ((width - PAD.left - PAD.right) * step) / lastStep;
    const y = (fraction: number) => height - PAD.bottom - (height - PAD.top - PAD.bottom) * fraction;

    this.add('line', { x1: PAD.left, y1: y(0), x2: width - PAD.right, y2: y(0), stroke: '#999' });
    this.text(PAD.left - 6, y(1) + 4, maxLoss.toPrecision(3), 'end', '#1f77b4');
    this.text(PAD.left - 6, y(0) + 4, '0', 'end', '#1f77b4');
    this.text(width - PAD.right + 6, y(1) + 4, '1.0', 'start', '#2ca02c');
    this.text(width - PAD.right + 6, y(0) + 4, '0', 'start', '#2ca02c');
    this.text(width / 2, height - 8, `optimizer step (${lastStep})`, 'middle', '#555');
    this.text(PAD.left, PAD.top - 4, 'loss', 'start', '#1f77b4');
    this.text(width - PAD.right, PAD.top - 4, 'val AUC', 'end', '#2ca02c');
    const line = (points: [number, number][], color: string) => {
      this.add('polyline', { points: points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 });
      for (const [px, py] of points) this.add('circle', { cx: px, cy: py, r: 2.5, fill: color });
    };
    line(losses.filter((p) => Number.isFinite(p.loss)).map((p) => [x(p.step), y(p.loss / maxLoss)]), '#1f77b4');
    line(aucs.filter((p) => Number.isFinite(p.auc)).map((p) => [x(p.step), y(p.auc)]), '#2ca02c');
  }

  private add(tag: string, attributes: Record<string, string | number>): SVGElement {
    const element = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
    this.svg.append(element);
    return element;
  }

  private text(px: number, py: number, content: string, anchor: 'start' | 'middle' | 'end', color: string): void {
    this.add('text', { x: px, y: py, 'text-anchor': anchor, fill: color, 'font-size': 12 }).textContent = content;
  }
}
