import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as core from '@strata/core';
import * as training from './index.js';

describe('@strata/training index', () => {
  it("re-exports @strata/core's random module, so that every package shares one seeded generator", () => {
    assert.equal(training.SeededRandom, core.SeededRandom);
    assert.equal(training.seedEverything, core.seedEverything);
    assert.equal(training.globalRngState, core.globalRngState);
    assert.equal(training.setGlobalRngState, core.setGlobalRngState);
    assert.equal(training.unseedEverything, core.unseedEverything);
    training.seedEverything(11);
    assert.deepEqual(core.globalRngState()?.seed, 11);
    core.unseedEverything();
    assert.equal(training.globalRngState(), undefined);
  });
});
