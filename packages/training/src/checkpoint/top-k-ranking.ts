/**
 * The order of monitored scores for top-k checkpoints: 'min' or 'max' is better, and a NaN
 * score (only an old file can hold one: a NaN is never ranked now) is worse than any number.
 */
export function isBetter(a: number, b: number, mode: 'min' | 'max'): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return mode === 'min' ? a < b : a > b;
}

/** The entry with the best score, or undefined when there is none. */
export function bestEntry(entries: Readonly<Record<string, number>>, mode: 'min' | 'max'): [string, number] | undefined {
  return Object.entries(entries).reduce<[string, number] | undefined>((b, e) => (b === undefined || isBetter(e[1], b[1], mode) ? e : b), undefined);
}

/** The entry with the worst score, or undefined when there is none. */
export function worstEntry(entries: Readonly<Record<string, number>>, mode: 'min' | 'max'): [string, number] | undefined {
  return Object.entries(entries).reduce<[string, number] | undefined>((w, e) => (w === undefined || isBetter(w[1], e[1], mode) ? e : w), undefined);
}
