import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { describeLayout, layoutName, meshTarget, parseLayout, parseLayouts, parseMeshTarget, totalDevices } from './mesh-layout.js';

const badInput = (pattern: RegExp) => (e: unknown) => e instanceof StrataError && e.kind === 'bad-input' && pattern.test(`${e.message} ${e.fix ?? ''}`);

describe('mesh layouts', () => {
  it("reads 'PxL' as P server processes of L devices each", () => {
    assert.deepEqual(parseLayout('2x1'), { processes: 2, devicesPerProcess: 1 });
    assert.deepEqual(parseLayout(' 1x8 '), { processes: 1, devicesPerProcess: 8 });
    assert.equal(totalDevices(parseLayout('2x4')), 8);
    assert.equal(layoutName({ processes: 3, devicesPerProcess: 2 }), '3x2');
  });

  it('refuses anything else, naming the value and the form', () => {
    assert.throws(() => parseLayout('2'), badInput(/"2".*PxL/));
    assert.throws(() => parseLayout('0x1'), badInput(/"0x1".*at least 1/));
    assert.throws(() => parseLayout('1x0'), badInput(/"1x0"/));
    assert.throws(() => parseLayout('2x1x1'), badInput(/"2x1x1"/));
    assert.throws(() => parseLayout('ax1'), badInput(/"ax1"/));
  });

  it('reads a list, first the baseline, and refuses an empty list or a repeat', () => {
    assert.deepEqual(parseLayouts('1x1, 2x1').map(layoutName), ['1x1', '2x1']);
    assert.throws(() => parseLayouts(' , '), badInput(/names no layout/));
    assert.throws(() => parseLayouts('1x1,2x1,1x1'), badInput(/"1x1" twice/));
  });

  it("names each row's target 'tpu@PxL' and reads the layout back from it; other targets have none", () => {
    const layout = { processes: 2, devicesPerProcess: 4 };
    assert.equal(meshTarget(layout), 'tpu@2x4');
    assert.deepEqual(parseMeshTarget(meshTarget(layout)), layout);
    assert.equal(parseMeshTarget('tpu'), undefined);
    assert.equal(parseMeshTarget('cpu:native'), undefined);
    assert.throws(() => parseMeshTarget('tpu@two'), badInput(/"two"/));
  });

  it('says a layout in words for the table', () => {
    assert.equal(describeLayout({ processes: 1, devicesPerProcess: 1 }), '1 server, 1 device');
    assert.equal(describeLayout({ processes: 1, devicesPerProcess: 2 }), '1 server, 2 devices');
    assert.equal(describeLayout({ processes: 2, devicesPerProcess: 1 }), '2 servers x 1 device');
  });
});
