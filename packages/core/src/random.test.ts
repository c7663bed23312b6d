import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { SeededRandom, globalRngState, seedEverything, setGlobalRngState, unseedEverything } from './random.js';

after(() => unseedEverything());

describe('SeededRandom', () => {
  it('draws the same mulberry32 sequence for a seed', () => {
    const r = new SeededRandom(42);
    assert.deepEqual([r.next(), r.next(), r.nextInt(10), r.nextNormal()], [0.6011037519201636, 0.44829055899754167, 8, 0.40743774041311]);
    assert.equal(r.getState(), 567894515);
    assert.deepEqual(new SeededRandom(7).shuffle([1, 2, 3, 4, 5, 6]), [5, 2, 3, 4, 6, 1]);
  });

  it('resumes exactly from a saved state', () => {
    const a = new SeededRandom(3);
    a.next();
    const b = new SeededRandom(0);
    b.setState(a.getState());
    assert.equal(b.next(), a.next());
  });
});

describe('seedEverything', () => {
  it('makes Math.random draw from one seeded generator whose state saves and restores', () => {
    assert.equal(seedEverything(5), 5);
    const saved = globalRngState();
    assert.deepEqual(saved && { seed: saved.seed }, { seed: 5 });
    const first = [Math.random(), Math.random()];
    setGlobalRngState(saved!);
    assert.deepEqual([Math.random(), Math.random()], first);
    unseedEverything();
    assert.equal(globalRngState(), undefined);
  });

  it('rejects a seed that is not an integer', () => {
    assert.throws(() => seedEverything(1.5), /seed must be an integer/);
  });
});
