// The Dawn probe in a child process: it finds what a probe in this process finds, keeps Dawn's
// own output as text, and turns a child that fails into a reason and a remedy.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { probeAdapter, summaryOf } from './adapter-probe.js';
import { probeDawnQuietly } from './quiet-dawn-probe.js';

describe('probeDawnQuietly', () => {
  it('runs in a child process and finds what a probe in this process finds', async () => {
    const quiet = await probeDawnQuietly({});
    assert.equal(quiet.ranIn, 'child process', "the child's script is the package's dist/dawn-probe-child.js: build the package first");
    const here = summaryOf(await probeAdapter({}));
    assert.deepEqual(quiet.outcome, here);
    assert.equal(typeof quiet.dawnLog, 'string');
  });

  it("pins the Dawn backend it is given, like the strategy's setup does", async () => {
    const first = await probeDawnQuietly({});
    if (!first.outcome.found || first.outcome.dawnBackend === undefined || first.outcome.dawnBackend === 'default') return;
    const pinned = await probeDawnQuietly({ backend: first.outcome.dawnBackend });
    assert.deepEqual(pinned.outcome, first.outcome);
  });

  it('a child that does not answer in time gives a reason and a remedy, never a throw', async () => {
    const late = await probeDawnQuietly({}, 1);
    assert.equal(late.ranIn, 'child process');
    assert.equal(late.outcome.found, false);
    if (!late.outcome.found) {
      assert.match(late.outcome.reason, /probing WebGPU through Dawn \(in a child process\) took longer than 0\.001 s/);
      assert.match(late.outcome.remedy, /STRATA_DEBUG=1/);
    }
  });
});
