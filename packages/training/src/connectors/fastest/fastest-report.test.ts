import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { fastestOf, measurementTable, type MeasuredStrategy } from './fastest-report.js';
import { median } from './step-timing.js';

describe("the report of 'fastest'", () => {
  it('takes the median of the timed steps', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), RangeError);
  });

  it('picks the lowest median among the measured rows, the first of equals', () => {
    const rows: MeasuredStrategy[] = [
      { strategy: 'cpu', medianMs: 12, steps: 50 },
      { strategy: 'webgpu', skipped: 'unavailable: no adapter' },
      { strategy: 'wasm', medianMs: 4.5, steps: 50 },
      { strategy: 'tpu', medianMs: 4.5, steps: 20 },
    ];
    assert.equal(fastestOf(rows)?.strategy, 'wasm');
    assert.equal(fastestOf([{ strategy: 'webgpu', skipped: 'x' }]), undefined);
  });

  it('prints one row per strategy, aligned: median, steps, and the pick or why it was skipped', () => {
    const lines = measurementTable(
      [
        { strategy: 'cpu', medianMs: 123.4, steps: 24 },
        { strategy: 'wasm', medianMs: 4.567, steps: 50 },
        { strategy: 'webgpu', skipped: 'unavailable: no GPU adapter' },
      ],
      'wasm',
    );
    assert.deepEqual(lines.slice(1), [
      '  strategy  median ms/step  steps',
      '  cpu                  123     24',
      '  wasm                4.57     50  fastest',
      '  webgpu                 -      -  skipped: unavailable: no GPU adapter',
    ]);
    assert.match(lines[0], /^Strategy 'fastest': /);
  });
});
