#!/usr/bin/env node
// Writes bench/python/specs/NAME.json for every model the bench knows: the one definition of
// each network (@strata/vision's ModelSpec) as the standalone Python scripts read it. Run it
// after changing a model; bench/src/models/registry.test.ts fails while the files are stale.
//   npx tsc -p bench/tsconfig.json && node bench/scripts/write-specs.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MODELS, specFile, specJson } from '../dist/models/registry.js';

const bench = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const spec of Object.values(MODELS)) {
  const path = specFile(bench, spec.name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, specJson(spec));
  console.log(`wrote ${path}`);
}
