// How the progress bar writes numbers: durations, speeds, metrics and the bar itself.

/** Seconds as m:ss, or h:mm:ss from an hour up. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Iterations per second as tqdm writes them: 'N it/s', or 'N s/it' below one a second. */
export function formatRate(perSecond: number): string {
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) return '? it/s';
  return perSecond >= 1 ? `${perSecond.toFixed(2)} it/s` : `${(1 / perSecond).toFixed(2)} s/it`;
}

/** A metric value: four decimals, or exponent notation for very large or very small values. */
export function formatMetric(value: number): string {
  return Math.abs(value) >= 1000 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(3) : value.toFixed(4);
}

/** `[=====>    ]` of `width` cells for `done` of `total`. */
export function formatBar(done: number, total: number, width = 20): string {
  const filled = Math.min(width, Math.max(0, Math.round((width * done) / total)));
  return `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}]`;
}
