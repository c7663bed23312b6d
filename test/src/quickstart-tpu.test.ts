// The quickstart runs unchanged with --strategy tpu against a real XLA server, and 8 cores give
// the same loss curve as 1 core on the same global batch (and as the CPU).
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { localXlaServerUnavailableReason, startLocalXlaServer, type LocalXlaServer } from '@strata/backend-tpu';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../examples/quickstart/dist/main.js', import.meta.url));

async function quickstart(args: string[], env: NodeJS.ProcessEnv = {}): Promise<number[]> {
  const { stdout } = await run(process.execPath, [script, '--max-epochs', '3', ...args], { env: { ...process.env, ...env }, timeout: 180_000 });
  const losses = [...stdout.matchAll(/^Epoch \d+ \| train_loss: ([\d.]+)/gm)].map((m) => Number(m[1]));
  assert.equal(losses.length, 3, stdout);
  return losses;
}

describe('quickstart on the TPU strategy', { skip: localXlaServerUnavailableReason() }, () => {
  let server: LocalXlaServer;
  before(async () => {
    server = await startLocalXlaServer({ devices: 8 });
  });
  after(async () => server?.stop());

  it('trains with --strategy tpu, and --tpu-cores 8 follows the same loss curve as 1 core and as the CPU', async () => {
    const env = { STRATA_TPU_ADDRESS: server.address };
    const one = await quickstart(['--strategy', 'tpu'], env);
    const eight = await quickstart(['--strategy', 'tpu', '--tpu-cores', '8'], env);
    const cpu = await quickstart(['--strategy', 'cpu']);
    assert.ok(one[2] < one[0], `loss did not fall: ${one}`);
    one.forEach((loss, i) => {
      assert.ok(Math.abs(loss - eight[i]) <= 2e-3, `epoch ${i}: 1 core ${loss}, 8 cores ${eight[i]}`);
      assert.ok(Math.abs(loss - cpu[i]) <= 1e-2, `epoch ${i}: tpu ${loss}, cpu ${cpu[i]}`);
    });
  });

  it('fails at once, naming the numbers, when more cores are asked for than the server has', async () => {
    await assert.rejects(run(process.execPath, [script, '--strategy', 'tpu', '--tpu-cores', '16'], { env: { ...process.env, STRATA_TPU_ADDRESS: server.address } }), (e: { stderr: string }) => {
      assert.match(e.stderr, /16/);
      assert.match(e.stderr, /8 device/);
      return true;
    });
  });
});
