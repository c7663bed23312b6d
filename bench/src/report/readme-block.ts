import { StrataError, quote } from '@strata/core';

export const BLOCK_START = '<!-- bench:start -->';
export const BLOCK_END = '<!-- bench:end -->';

/** The markers of a README block: 'bench' is the main table's, another name N gives <!-- bench:N:start -->. */
export function blockMarkers(block = 'bench'): { start: string; end: string } {
  return block === 'bench' ? { start: BLOCK_START, end: BLOCK_END } : { start: `<!-- bench:${block}:start -->`, end: `<!-- bench:${block}:end -->` };
}

/**
 * Replaces what lies between the bench markers of a README with `content`, keeping the markers,
 * so the README's table is always the tool's output.
 *
 * @example
 * writeFileSync('README.md', replaceBenchBlock(readFileSync('README.md', 'utf8'), table));
 */
export function replaceBenchBlock(readme: string, content: string, block = 'bench'): string {
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
