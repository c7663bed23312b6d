import { StrataError, quote } from '@strata/core';

/**
 * The parts of a checkpoint path inside a browser's storage: '/' and '\\' separate, empty and
 * '.' parts are dropped, and an absolute path names the same entry as the relative one (the
 * origin's storage has one root). '..' is refused: nothing lies above that root.
 */
export function storageParts(path: string): string[] {
  const parts = path.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new StrataError('bad-input', `Checkpoint path ${quote(path)} has a '..' part, which browser storage cannot follow.`, {
      value: path,
      fix: "name checkpoint folders without '..' (e.g. 'checkpoints/run1').",
    });
  }
  return parts;
}

/** The error `read` gives for a path that holds no file. */
export function missingFile(path: string, where: string): StrataError {
  return new StrataError('bad-input', `No checkpoint file ${quote(path)} in ${where}.`, {
    value: path,
    fix: 'check the path; listCheckpoints(dir) names the files a folder holds.',
  });
}
