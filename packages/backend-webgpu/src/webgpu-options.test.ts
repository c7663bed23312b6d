import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { WebGpuStrategy } from './webgpu-strategy.js';
import type { WebGpuStrategyOptions } from './webgpu-options.js';

function invalid(options: unknown, quoted: string): void {
  assert.throws(
    () => new WebGpuStrategy(options as WebGpuStrategyOptions),
    (error: unknown) => error instanceof StrataError && error.kind === 'invalid-option' && error.message.includes(quoted),
  );
}

describe('WebGpuStrategy options', () => {
  it('accepts the defaults and every valid option without touching the GPU', () => {
    assert.equal(new WebGpuStrategy().name, 'webgpu');
    const s = new WebGpuStrategy({ backend: 'vulkan', powerPreference: 'low-power', adapterIndex: 2, limits: 'default' });
    assert.equal(s.capabilities().syncReads, false);
    assert.deepEqual(s.capabilities().precisions, ['32']);
  });

  it('rejects a bad value, quoting it and listing what is allowed', () => {
    invalid({ backend: 'cuda' }, '"cuda"');
    invalid({ powerPreference: 'fast' }, '"fast"');
    invalid({ adapterIndex: -1 }, '-1');
    invalid({ adapterIndex: 1.5 }, '1.5');
    invalid({ limits: 'max' }, '"max"');
  });
});
