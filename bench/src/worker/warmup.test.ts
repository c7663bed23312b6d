import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { warmAgain } from './warmup.js';

describe('warmAgain', () => {
  const config = { warmupSteps: 3, slowStepMs: 15_000 };

  it('runs the warm-up steps after the first, however slow the first was', () => {
    assert.equal(warmAgain([], config), true);
    assert.equal(warmAgain([14_000], config), true, 'a second compile is still warm-up');
    assert.equal(warmAgain([1_600, 1_500], config), false, 'three steps in all');
  });

  it('stops once a warm-up step is itself slow', () => {
    assert.equal(warmAgain([22_000], config), false);
  });

  it('runs none when only the first step is asked for', () => {
    assert.equal(warmAgain([], { ...config, warmupSteps: 1 }), false);
  });
});
