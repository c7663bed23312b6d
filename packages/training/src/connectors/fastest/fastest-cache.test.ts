import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { FASTEST_CACHE_FILE, FastestCache, type FastestCacheEntry } from './fastest-cache.js';
import { machineSignature } from './fastest-key.js';

function entry(strategy: string): FastestCacheEntry {
  return {
    strategy,
    key: { strata: '0.1.0', machine: machineSignature(), model: { module: 'M', parameters: [], batch: [], precision: '32', devices: null }, candidates: [] },
    measured: [{ strategy, medianMs: 1, steps: 3 }],
    measuredAt: new Date(0).toISOString(),
  };
}

describe("the cache of 'fastest'", () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-cache-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('finds nothing, silently, before anything is stored; then each entry by its id', async () => {
    const warnings: string[] = [];
    const cache = new FastestCache(join(fresh(), 'nested', 'strata'), (m) => warnings.push(m));
    assert.equal(await cache.lookup('a'), undefined);
    await cache.store('a', entry('wasm'));
    await cache.store('b', entry('cpu'));
    assert.equal((await cache.lookup('a'))?.strategy, 'wasm');
    assert.equal((await cache.lookup('b'))?.strategy, 'cpu');
    assert.deepEqual(warnings, []);
  });

  for (const [what, text, reason] of [
    ['a truncated file', '{"format":"strata-fastest-strategy/1","entries":{"a":', /it is not JSON/],
    ['another format', '{"format":"something-else","entries":{}}', /it is not a strata-fastest-strategy\/1 file/],
    ['JSON that is no object', '[1, 2]', /it is not a strata-fastest-strategy\/1 file/],
  ] as const) {
    it(`ignores ${what} with a warning and replaces it on the next store`, async () => {
      const dir = fresh();
      writeFileSync(join(dir, FASTEST_CACHE_FILE), text);
      const warnings: string[] = [];
      const cache = new FastestCache(dir, (m) => warnings.push(m));
      assert.equal(await cache.lookup('a'), undefined);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], reason);
      assert.ok(warnings[0].includes(join(dir, FASTEST_CACHE_FILE)));
      await cache.store('a', entry('wasm'));
      assert.equal((JSON.parse(readFileSync(cache.path, 'utf8')) as { entries: Record<string, FastestCacheEntry> }).entries.a.strategy, 'wasm');
    });
  }

  it('skips an entry without a strategy', async () => {
    const dir = fresh();
    writeFileSync(join(dir, FASTEST_CACHE_FILE), '{"format":"strata-fastest-strategy/1","entries":{"a":{"measured":[]}}}');
    assert.equal(await new FastestCache(dir, () => {}).lookup('a'), undefined);
  });

  it('warns, never throws, when the folder cannot be made', async () => {
    const file = join(fresh(), 'a-file');
    writeFileSync(file, 'not a folder');
    const warnings: string[] = [];
    await new FastestCache(join(file, 'strata'), (m) => warnings.push(m)).store('a', entry('cpu'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /could not write the strategy cache .*'fastest' measures again next run/);
  });
});
