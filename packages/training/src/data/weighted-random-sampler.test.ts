import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { WeightedRandomSampler } from './weighted-random-sampler.js';

describe('WeightedRandomSampler', () => {
  it('balanced: draws each class about equally often, repeatably per seed and epoch', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i < 50 ? 1 : 0));
    const sampler = WeightedRandomSampler.balanced(labels, { numSamples: 4000 });
    const drawn = sampler.indices(0, 7);
    const positives = drawn.filter((i) => labels[i] === 1).length;
    assert.ok(positives > 1800 && positives < 2200, `${positives} of 4000`);
    assert.deepEqual(sampler.indices(0, 7), drawn);
    assert.notDeepEqual(sampler.indices(1, 7), drawn);
  });

  it('without replacement gives distinct indices and never a zero weight', () => {
    const sampler = new WeightedRandomSampler([1, 0, 3, 2, 5], { numSamples: 4, replacement: false });
    const drawn = sampler.indices(0, 1);
    assert.equal(new Set(drawn).size, 4);
    assert.ok(!drawn.includes(1));
  });

  it('rejects negative weights, naming them', () => {
    assert.throws(() => new WeightedRandomSampler([1, -1]), /weights: received \[1,-1\]/);
  });
});
