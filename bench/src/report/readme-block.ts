import { StrataError, quote } from '@strata/core';

export const BLOCK_START = '<!-- bench:start -->';
export const BLOCK_END = '<!-- bench:end -->';

/**
 * Replaces what lies between the bench markers of a README with `content`, keeping the markers,
 * so the README's table is always the tool's output.
 *
 * @example
 * writeFileSync('README.md', replaceBenchBlock(readFileSync('README.md', 'utf8'), table));
 */
export function replaceBenchBlock(readme: string, content: string): string {
  const start = readme.indexOf(BLOCK_START);
  const end = readme.indexOf(BLOCK_END, start + BLOCK_START.length);
  if (start < 0 || end < 0) {
    throw new StrataError('bad-input', `The README has no ${quote(BLOCK_START)} ... ${quote(BLOCK_END)} block.`, {
      value: start < 0 ? BLOCK_START : BLOCK_END,
      fix: `put the two marker lines where the benchmark table belongs, then run the bench with --readme again.`,
    });
  }
  return `${readme.slice(0, start + BLOCK_START.length)}\n${content.trimEnd()}\n${readme.slice(end)}`;
}
