// The TypeScript examples of a markdown file, by section, as the packaging test runs them.

/** The ```ts blocks under the `## heading` section (up to the next `## `), in order. */
export function typescriptBlocks(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  if (start < 0) throw new Error(`the README has no section "## ${heading}"`);
  const blocks: string[] = [];
  let block: string[] | undefined;
  for (const line of lines.slice(start + 1)) {
    if (block === undefined && /^## /.test(line)) break;
    if (block === undefined && /^```ts\s*$/.test(line)) block = [];
    else if (block !== undefined && /^```\s*$/.test(line)) {
      blocks.push(`${block.join('\n')}\n`);
      block = undefined;
    } else if (block !== undefined) block.push(line);
  }
  return blocks;
}

/** The lines of `code` that choose the strategy `strategy` in a Trainer (`const trainer = new Trainer({ strategy: 'cpu'`). */
export function trainerStrategyLines(code: string, strategy: string): string[] {
  return code.split('\n').filter((line) => line.startsWith(`const trainer = new Trainer({ strategy: '${strategy}'`));
}

/** `code` with its one Trainer line for `from` switched to `to`: the README's one-line swap. */
export function swapStrategy(code: string, from: string, to: string): string {
  const lines = trainerStrategyLines(code, from);
  if (lines.length !== 1) throw new Error(`expected exactly one line starting "const trainer = new Trainer({ strategy: '${from}'", found ${lines.length}`);
  return code.replace(lines[0]!, lines[0]!.replace(`strategy: '${from}'`, `strategy: '${to}'`));
}

/**
 * A block as a program of its own. A fragment that uses `Trainer` without importing it (the
 * one-line swap) gets `trainingImport`, the README's own import line of `@strata/training` from
 * its complete program, as its first line; a block that imports what it uses runs unchanged.
 */
export function asProgram(code: string, trainingImport: string): string {
  const importsTraining = /^import .* from '@strata\/training';$/m.test(code);
  return /\bTrainer\b/.test(code) && !importsTraining ? `${trainingImport}\n${code}` : code;
}

/** The import line of `@strata/training` in `code`. */
export function trainingImportLine(code: string): string {
  const line = code.split('\n').find((l) => /^import .* from '@strata\/training';$/.test(l));
  if (!line) throw new Error(`no line imports @strata/training in:\n${code}`);
  return line;
}
