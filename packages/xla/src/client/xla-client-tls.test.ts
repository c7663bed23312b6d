// The client over TLS against the real XLA server, started with a self-signed certificate made
// here (--tls-cert/--tls-key) and a token file: a step runs over grpcs://, the token shows on no
// command line, and every way of getting TLS wrong fails with the reason and its fix.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http2';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
import { startLocalXlaServer, type LocalXlaServer } from '../local-xla-server.js';
import { certificateSkipReason, makeSelfSignedCertificate, serverSkipReason, type TestCertificate } from '../testing/index.js';
import { XlaStrategy } from '../xla-strategy.js';
import { XlaClient } from './xla-client.js';

const TOKEN = 'tls-test-token-0123456789abcdef';
const skip = serverSkipReason() ?? certificateSkipReason();

/** The StrataError of a failed call, for its message and fix. */
async function failure(call: Promise<unknown>): Promise<StrataError> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof StrataError, String(error));
    return error;
  }
  assert.fail('the call succeeded');
}

/** Health over a fresh client, closed afterwards. */
async function health(...args: ConstructorParameters<typeof XlaClient>): Promise<unknown> {
  const client = new XlaClient(...args);
  try {
    return await client.health(5000);
  } finally {
    client.close();
  }
}

describe('the XLA client over TLS', { skip }, () => {
  let dir: string;
  let cert: TestCertificate;
  let other: TestCertificate;
  let server: LocalXlaServer;
  let address: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-xla-tls-'));
    cert = makeSelfSignedCertificate(dir, 'server');
    other = makeSelfSignedCertificate(dir, 'other', ['DNS:other.example'], 'other.example');
    server = await startLocalXlaServer({ token: TOKEN, extraArgs: ['--tls-cert', cert.certFile, '--tls-key', cert.keyFile] });
    address = server.address.replace(/^grpc:/, 'grpcs:');
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the server's command line, as ps shows it, and its environment hold no token", () => {
    const argv = execFileSync('ps', ['-ww', '-o', 'args=', '-p', String(server.pid)], { encoding: 'utf8' });
    assert.match(argv, /strata_xla_server .*--token-file \S+ .*--tls-cert/);
    assert.ok(!argv.includes(TOKEN), `the token is on the command line: ${argv}`);
    assert.ok(!readFileSync(`/proc/${server.pid}/environ`, 'utf8').includes(TOKEN), 'the token is in the environment');
  });

  it('XlaStrategy over grpcs:// with the CA file: sets up, runs a step and reads its result', async () => {
    const strategy = new XlaStrategy({ address, token: TOKEN, tls: { caFile: cert.certFile } });
    assert.equal((await strategy.isAvailable()).available, true);
    try {
      await strategy.setup();
      const x = tf.tensor([1, 2, 3]);
      const y = await strategy.runStep(() => tf.mul(x, 2));
      assert.deepEqual([...(await strategy.read(y))], [2, 4, 6]);
      tf.dispose([x, y]);
      assert.equal(strategy.describe().details?.address, address);
    } finally {
      await strategy.teardown();
    }
  });

  it('the CA as PEM text works the same', async () => {
    assert.deepEqual(await health(address, TOKEN, undefined, { tls: { caCertificate: cert.certPem } }), await health(address, TOKEN, undefined, { tls: { caFile: cert.certFile } }));
  });

  it("another certificate as CA, or Node's roots: fails with the TLS reason and a fix naming the CA option", async () => {
    for (const tls of [{ caFile: other.certFile }, undefined]) {
      const e = await failure(health(address, TOKEN, undefined, { tls }));
      assert.equal(e.kind, 'server-error');
      assert.match(e.message, /self-signed certificate/);
      assert.match(e.fix ?? '', /certificate at grpcs:\/\/127\.0\.0\.1:\d+ is not signed by an authority this client trusts/);
      assert.match(e.fix ?? '', /--tls-cert file when it is self-signed/);
      assert.doesNotMatch(e.message, /Resolution note|strata_xla_server --port/);
      assert.equal(e.message.split('Fix:').length - 1, 1);
    }
    const availability = await new XlaStrategy({ address, token: TOKEN, tls: { caFile: other.certFile } }).isAvailable();
    assert.equal(availability.available, false);
    if (!availability.available) assert.match(availability.remedy, /new XlaStrategy\(\{ tls: \{ caFile \} \}\) or STRATA_XLA_CA_FILE/);
  });

  it('a name the certificate does not hold fails naming serverNameOverride; a name it holds connects', async () => {
    const e = await failure(health(address, TOKEN, undefined, { tls: { caFile: cert.certFile, serverNameOverride: 'elsewhere.example' } }));
    assert.match(e.message, /elsewhere\.example/);
    assert.match(e.fix ?? '', /tls\.serverNameOverride/);
    assert.ok(await health(address, TOKEN, undefined, { tls: { caFile: cert.certFile, serverNameOverride: 'localhost' } }));
  });

  it('a wrong token over TLS is refused by the server, and the fix names the token', async () => {
    const e = await failure(health(address, 'not-the-token-not-the-token', undefined, { tls: { caFile: cert.certFile } }));
    assert.match(e.message, /UNAUTHENTICATED/);
    assert.match(e.fix ?? '', /pass the server's token/);
  });

  it("a plaintext client to the TLS server: the fix says to use grpcs://", async () => {
    const e = await failure(health(server.address, TOKEN));
    assert.match(e.fix ?? '', /did not speak plaintext gRPC: a server started with --tls-cert\/--tls-key needs 'grpcs:\/\/127\.0\.0\.1:\d+'/);
  });
});

describe('a TLS client to a plaintext HTTP/2 server', () => {
  it('fails saying the server does not speak TLS', async () => {
    const plain = createServer();
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const { port } = plain.address() as { port: number };
    try {
      const e = await failure(health(`grpcs://127.0.0.1:${port}`));
      assert.match(e.fix ?? '', new RegExp(`the server at grpcs://127\\.0\\.0\\.1:${port} does not speak TLS: start it with --tls-cert/--tls-key, or use 'grpc://127\\.0\\.0\\.1:${port}'`));
    } finally {
      await new Promise<void>((resolve) => plain.close(() => resolve()));
    }
  });
});
