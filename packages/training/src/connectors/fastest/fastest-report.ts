/** One row of the measurement: a strategy's median step time, or why it was not measured. */
export type MeasuredStrategy =
  | { readonly strategy: string; readonly medianMs: number; readonly steps: number }
  | { readonly strategy: string; readonly skipped: string };

/** The measured row with the lowest median (the first of equals), if any row was measured. */
export function fastestOf(rows: readonly MeasuredStrategy[]): (MeasuredStrategy & { readonly medianMs: number }) | undefined {
  let best: (MeasuredStrategy & { readonly medianMs: number }) | undefined;
  for (const row of rows) if ('medianMs' in row && (best === undefined || row.medianMs < best.medianMs)) best = row;
  return best;
}

/** The table printed after measuring: strategy, median ms per step, steps timed, and the pick or why a strategy was skipped. */
export function measurementTable(rows: readonly MeasuredStrategy[], picked: string): string[] {
  const cells = rows.map((row) =>
    'medianMs' in row
      ? [row.strategy, formatMs(row.medianMs), String(row.steps), row.strategy === picked ? 'fastest' : '']
      : [row.strategy, '-', '-', `skipped: ${row.skipped}`],
  );
  const header = ['strategy', 'median ms/step', 'steps', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    `  ${c[0].padEnd(widths[0])}  ${c[1].padStart(widths[1])}  ${c[2].padStart(widths[2])}  ${c[3]}`.trimEnd();
  return [
    "Strategy 'fastest': the module's training step (forward and backward on the first batch) timed on each strategy:",
    line(header),
    ...cells.map(line),
  ];
}

/** What to do to measure again, for the lines that name the cache. */
export const REMEASURE_HINT = 'set STRATA_FASTEST_REMEASURE=1 (or the Trainer option fastest: { remeasure: true }), or delete the file, to measure again';

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3);
}
