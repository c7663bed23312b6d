/**
 * '/'-separated path helpers for checkpoint paths, so that code routed through
 * `CheckpointStorage` needs no `node:path` (which a browser bundle cannot carry). Node's file
 * functions accept '/' on every platform; a backslash from a Windows path is treated as '/'.
 */

/** `dir` and `name` joined by one '/'. */
export function joinPath(dir: string, name: string): string {
  if (dir === '') return name;
  return dir.endsWith('/') || dir.endsWith('\\') ? `${dir}${name}` : `${dir}/${name}`;
}

/** The directory part of `path` ('.' when it has none). */
export function parentOf(path: string): string {
  const i = lastSeparator(path);
  if (i < 0) return '.';
  return i === 0 ? path.slice(0, 1) : path.slice(0, i);
}

/** The last part of `path`. */
export function baseNameOf(path: string): string {
  return path.slice(lastSeparator(path) + 1);
}

/**
 * `path` in a form fit to compare: '/' separators, no repeated or trailing separator, no '.'
 * parts. Relative paths stay relative: two spellings of one directory compare equal only when
 * both are relative or both absolute.
 */
export function normalizePath(path: string): string {
  const absolute = /^[\\/]/.test(path);
  const parts = path.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  const joined = parts.join('/');
  return absolute ? `/${joined}` : joined === '' ? '.' : joined;
}

/** Whether `path` names an entry directly inside `dir`. */
export function isDirectlyIn(path: string, dir: string): boolean {
  return normalizePath(parentOf(path)) === normalizePath(dir);
}

function lastSeparator(path: string): number {
  return Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
}
