import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { StrataError } from '@strata/core';
import { MODELS, modelByName, specFile, specJson } from './registry.js';

const bench = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('the model registry', () => {
  it('gives the Python scripts the very specs the bench trains (node bench/scripts/write-specs.mjs rewrites them)', () => {
    for (const spec of Object.values(MODELS)) {
      const path = specFile(bench, spec.name);
      assert.ok(existsSync(path), `${path} is missing`);
      assert.equal(readFileSync(path, 'utf8'), specJson(spec), `${path} is stale`);
    }
  });

  it('names the known models when asked for another', () => {
    assert.equal(modelByName('tiny-cnn'), MODELS['tiny-cnn']);
    assert.throws(() => modelByName('resnet'), (e: unknown) => e instanceof StrataError && e.kind === 'bad-input' && /resnet/.test(e.message));
  });
});
