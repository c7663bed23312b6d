// The quickstart, unchanged, trains with --strategy tpu over grpcs:// against an XLA server
// started with a self-signed certificate made here and a token file, the address, token and
// CA given by the TPU strategy's environment variables.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { localXlaServerUnavailableReason, startLocalXlaServer, type LocalXlaServer } from '@strata/backend-tpu';
import { certificateSkipReason, makeSelfSignedCertificate, type TestCertificate } from '@strata/xla/testing';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../examples/quickstart/dist/main.js', import.meta.url));
const TOKEN = 'quickstart-over-tls-0123456789abcdef';

describe('quickstart over grpcs://', { skip: localXlaServerUnavailableReason() ?? certificateSkipReason() }, () => {
  let dir: string;
  let cert: TestCertificate;
  let server: LocalXlaServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-quickstart-tls-'));
    cert = makeSelfSignedCertificate(dir, 'server');
    server = await startLocalXlaServer({ token: TOKEN, extraArgs: ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile] });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('trains with --strategy tpu, STRATA_TPU_ADDRESS=grpcs://..., STRATA_TPU_TOKEN and STRATA_TPU_CA_FILE: the loss falls', async () => {
    const env = {
      ...process.env,
      STRATA_STRATEGY: '',
      STRATA_TPU_ADDRESS: server.address.replace(/^grpc:/, 'grpcs:'),
      STRATA_TPU_TOKEN: TOKEN,
      STRATA_TPU_CA_FILE: cert.certFile,
    };
    const { stdout } = await run(process.execPath, [script, '--strategy', 'tpu', '--max-epochs', '3'], { env, timeout: 180_000 });
    const losses = [...stdout.matchAll(/^Epoch \d+ \| train_loss: ([\d.]+)/gm)].map((m) => Number(m[1]));
    assert.equal(losses.length, 3, stdout);
    assert.ok(losses[2] < losses[0], `loss did not fall: ${losses}`);
    assert.match(stdout, /^Strategy tpu on XLA server \(cpu, 1 device/m);
  });

  it('without the CA, the run fails naming the certificate and STRATA_TPU_CA_FILE', async () => {
    const env = { ...process.env, STRATA_STRATEGY: '', STRATA_TPU_ADDRESS: server.address.replace(/^grpc:/, 'grpcs:'), STRATA_TPU_TOKEN: TOKEN, STRATA_TPU_CA_FILE: '' };
    await assert.rejects(run(process.execPath, [script, '--strategy', 'tpu', '--max-epochs', '1'], { env, timeout: 120_000 }), (e: { stderr: string }) => {
      assert.match(e.stderr, /self-signed certificate/);
      assert.match(e.stderr, /new TpuStrategy\(\{ tls: \{ caFile \} \}\) or STRATA_TPU_CA_FILE/);
      return true;
    });
  });
});
