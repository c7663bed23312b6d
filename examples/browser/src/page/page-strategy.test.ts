import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseStrategyRequest, parseTrainBatches } from './page-strategy.js';

describe('parseStrategyRequest', () => {
  it('reads ?strategy=, with auto when it is missing', () => {
    assert.equal(parseStrategyRequest(null), 'auto');
    assert.equal(parseStrategyRequest(''), 'auto');
    assert.equal(parseStrategyRequest('wasm'), 'wasm');
    assert.equal(parseStrategyRequest('webgpu'), 'webgpu');
  });

  it('refuses another name, quoting it and listing the choices', () => {
    assert.throws(() => parseStrategyRequest('cuda'), /"cuda".*"auto", "webgpu", "wasm"/s);
  });
});

describe('parseTrainBatches', () => {
  it('reads ?trainBatches=, every batch when it is missing', () => {
    assert.equal(parseTrainBatches(null), undefined);
    assert.equal(parseTrainBatches(''), undefined);
    assert.equal(parseTrainBatches('3'), 3);
  });

  it('refuses a value that is not a whole number of at least 1, quoting it', () => {
    for (const bad of ['0', '-2', '1.5', 'all']) assert.throws(() => parseTrainBatches(bad), new RegExp(`"${bad}".*whole number`, 's'));
  });
});
