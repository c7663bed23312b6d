// Checks that every source map a package ships can reach its sources.
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/**
 * For each .map file among `files` (paths relative to the package root `dir`), each `sources`
 * entry that has no inline `sourcesContent` must name a file of `files`, resolved against the
 * map's folder and `sourceRoot`. Returns one line per source that does not.
 */
export function unreachableSources(dir: string, files: readonly string[]): string[] {
  const shipped = new Set(files.map((f) => normalize(f)));
  const problems: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.map'))) {
    const map = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { sources?: string[]; sourcesContent?: (string | null)[]; sourceRoot?: string };
    (map.sources ?? []).forEach((source, i) => {
      if (typeof map.sourcesContent?.[i] === 'string') return;
      if (/^[a-z][a-z0-9+.-]*:/i.test(source)) {
        problems.push(`${file}: source ${source} is a URL, not a file in the package`);
        return;
      }
      const target = normalize(join(dirname(file), map.sourceRoot ?? '', source));
      if (!shipped.has(target)) problems.push(`${file}: source ${source} (${target}) is not in the package`);
    });
  }
  return problems;
}
