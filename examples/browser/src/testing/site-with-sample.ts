// A copy of a built site with a sample of other options: the same page, bundle and WASM
// binaries, other images (the tests train on smaller ones where the software GPU is slow).
import { cp } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { makeSample, type SampleOptions } from '../sample/make-sample.js';

/** Copies the site in `from` to `to`, all but its `sample/`, and makes a sample of `options` there. */
export async function siteWithSample(from: string, to: string, options: SampleOptions): Promise<string> {
  await cp(from, to, { recursive: true, filter: (path) => relative(from, path).split(/[\\/]/)[0] !== 'sample' });
  await makeSample(join(to, 'sample'), options);
  return to;
}
