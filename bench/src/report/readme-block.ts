import { StrataError, quote } from '@strata/core';

export const BLOCK_START = '<!-- bench:start -->';
export const BLOCK_END = '<!-- bench:end -->';

/** The main table's block name; another name N is another machine's table. */
export const MAIN_BLOCK = 'bench';

/** The markers of a README block: the main table's, or <!-- bench:N:start --> for another name N. */
export function blockMarkers(block = MAIN_BLOCK): { start: string; end: string } {
  return block === MAIN_BLOCK ? { start: BLOCK_START, end: BLOCK_END } : { start: `<!-- bench:${block}:start -->`, end: `<!-- bench:${block}:end -->` };
}

/** The committed copies' base name (--publish): RESULTS for the main table, RESULTS-N for block N. */
export function resultsName(block = MAIN_BLOCK): string {
  return block === MAIN_BLOCK ? 'RESULTS' : `RESULTS-${block}`;
}

/**
 * Replaces what lies between the bench markers of a README with `content`, keeping the markers,
 * so the README's table is always the tool's output.
 *
 * @example
 * writeFileSync('README.md', replaceBenchBlock(readFileSync('README.md', 'utf8'), table));
 */
export function replaceBenchBlock(readme: string, content: string, block = MAIN_BLOCK): string {
  const markers = blockMarkers(block);
  const start = readme.indexOf(markers.start);
  const end = readme.indexOf(markers.end, start + markers.start.length);
  if (start < 0 || end < 0) {
    throw new StrataError('bad-input', `The README has no ${quote(markers.start)} ... ${quote(markers.end)} block.`, {
      value: start < 0 ? markers.start : markers.end,
      fix: `put the two marker lines where the benchmark table belongs, then run the bench with --readme again.`,
    });
  }
  return `${readme.slice(0, start + markers.start.length)}\n${content.trimEnd()}\n${readme.slice(end)}`;
}
