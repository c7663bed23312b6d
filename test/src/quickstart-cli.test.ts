// The quickstart's one hardware knob: --strategy, or STRATA_STRATEGY when the flag is absent.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../examples/quickstart/dist/main.js', import.meta.url));
const env = { ...process.env, STRATA_STRATEGY: '' };

describe('quickstart command line', () => {
  it('trains with --strategy cpu, printing a line per epoch, and STRATA_STRATEGY=cpu does the same', async () => {
    const flag = await run(process.execPath, [script, '--strategy', 'cpu', '--max-epochs', '2'], { env });
    const fromEnv = await run(process.execPath, [script, '--max-epochs', '2'], { env: { ...env, STRATA_STRATEGY: 'cpu' } });
    const epochs = (out: string) => out.split('\n').filter((l) => /^Epoch \d+ \| train_loss: [\d.]+ \| val_loss: [\d.]+ \| val_acc: [\d.]+/.test(l));
    assert.equal(epochs(flag.stdout).length, 2, flag.stdout);
    assert.match(flag.stdout, /^Strategy cpu on /m);
    // Same strategy, same seeds: the same numbers (the time column aside).
    const strip = (lines: string[]) => lines.map((l) => l.replace(/ \| [\d.]+s$/, ''));
    assert.deepEqual(strip(epochs(fromEnv.stdout)), strip(epochs(flag.stdout)));
  });

  it('fails at once on an unknown strategy, listing the registered ones', async () => {
    const started = Date.now();
    await assert.rejects(run(process.execPath, [script, '--strategy', 'nosuch'], { env }), (e: { stderr: string; code: number }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /Unknown strategy "nosuch"/);
      for (const name of ['cpu', 'wasm', 'webgpu', 'cuda', 'tpu']) assert.match(e.stderr, new RegExp(`"${name}"`));
      return true;
    });
    assert.ok(Date.now() - started < 30_000);
  });

  it('fails at construction on an invalid Trainer option, naming it', async () => {
    await assert.rejects(run(process.execPath, [script, '--strategy', 'cpu', '--accumulate-grad-batches', '0'], { env }), (e: { stderr: string }) => {
      assert.match(e.stderr, /accumulateGradBatches: received 0/);
      return true;
    });
  });
});
