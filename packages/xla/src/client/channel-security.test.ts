// How the client secures its channel, without a server: addresses, the refusal to send a token
// in clear text beyond loopback (and the explicit opt-in), and bad TLS options named with a fix.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { XlaStrategy } from '../xla-strategy.js';
import { channelSecurity } from './channel-security.js';
import { isLoopbackHost, parseServerAddress } from './server-address.js';
import { XlaClient } from './xla-client.js';

const TOKEN = 'a-token-of-at-least-sixteen-characters';

describe('server addresses', () => {
  it('grpc://, grpcs:// and bare host:port give the target, the host and whether TLS is on', () => {
    assert.deepEqual(parseServerAddress('grpc://10.0.0.2:8470'), { tls: false, target: '10.0.0.2:8470', host: '10.0.0.2' });
    assert.deepEqual(parseServerAddress('grpcs://tpu-vm.example:8470/'), { tls: true, target: 'tpu-vm.example:8470', host: 'tpu-vm.example' });
    assert.deepEqual(parseServerAddress('127.0.0.1:1'), { tls: false, target: '127.0.0.1:1', host: '127.0.0.1' });
    assert.deepEqual(parseServerAddress('grpcs://[::1]:8470'), { tls: true, target: '[::1]:8470', host: '::1' });
  });

  it('another scheme is refused with the two spellings that work', () => {
    assert.throws(() => parseServerAddress('https://10.0.0.2:8470'), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'invalid-option');
      assert.match(e.message, /"https:\/\/10\.0\.0\.2:8470"/);
      assert.match(e.fix ?? '', /'grpc:\/\/host:port'.*'grpcs:\/\/host:port'/);
      return true;
    });
  });

  it('loopback is localhost, 127.0.0.0/8 and ::1; nothing else', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '::1', 'LOCALHOST']) assert.equal(isLoopbackHost(host), true, host);
    for (const host of ['10.0.0.2', '0.0.0.0', '128.0.0.1', 'tpu-vm', '::', 'localhost.example.com', '1.127.0.0']) assert.equal(isLoopbackHost(host), false, host);
  });
});

describe('a token over plaintext', () => {
  it('to a loopback address: sent as metadata', () => {
    const client = new XlaClient('grpc://127.0.0.1:8470', TOKEN);
    try {
      assert.equal(client.metadata().get('authorization')[0], `Bearer ${TOKEN}`);
    } finally {
      client.close();
    }
  });

  it('to a non-loopback grpc:// address: refused, naming the address, TLS, the tunnel and the opt-in', () => {
    assert.throws(() => new XlaClient('grpc://10.0.0.2:8470', TOKEN), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'invalid-option');
      assert.match(e.message, /Refusing to send the XLA server's token in clear text to grpc:\/\/10\.0\.0\.2:8470/);
      assert.doesNotMatch(e.message, new RegExp(TOKEN), 'the message never shows the token');
      assert.match(e.fix ?? '', /--tls-cert\/--tls-key and use 'grpcs:\/\/10\.0\.0\.2:8470'/);
      assert.match(e.fix ?? '', /ssh -L 8470:127\.0\.0\.1:8470 HOST/);
      assert.match(e.fix ?? '', /allowPlaintextToken: true/);
      assert.equal(e.message.split('Fix:').length - 1, 1);
      return true;
    });
    // A bare host:port is plaintext too.
    assert.throws(() => new XlaClient('tpu-vm:8470', TOKEN), /clear text to tpu-vm:8470/);
  });

  it('allowPlaintextToken: true says the network is trusted: the client is made, the token goes as metadata', () => {
    const client = new XlaClient('grpc://10.0.0.2:8470', TOKEN, undefined, { allowPlaintextToken: true });
    try {
      assert.equal(client.metadata().get('authorization')[0], `Bearer ${TOKEN}`);
    } finally {
      client.close();
    }
  });

  it('without a token, a non-loopback grpc:// address is allowed (there is nothing to leak)', () => {
    new XlaClient('grpc://10.0.0.2:8470').close();
  });

  it("through a strategy: the probe says why with the strategy's own option names, and setup() throws the same", async () => {
    const strategy = new XlaStrategy({ address: 'grpc://10.0.0.2:8470', token: TOKEN });
    const availability = await strategy.isAvailable();
    assert.equal(availability.available, false);
    if (availability.available) return;
    assert.match(availability.reason, /clear text to grpc:\/\/10\.0\.0\.2:8470/);
    assert.match(availability.remedy, /new XlaStrategy\(\{ allowPlaintextToken: true \}\)/);
    assert.match(availability.remedy, /new XlaStrategy\(\{ tls: \{ caFile \} \}\) or STRATA_XLA_CA_FILE/);
    await assert.rejects(strategy.setup(), (e: unknown) => e instanceof StrataError && e.kind === 'invalid-option' && /clear text/.test(e.message));
  });
});

describe('TLS options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strata-tls-options-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('over grpcs:// the token goes as call credentials: per-call metadata carries none', () => {
    const security = channelSecurity('grpcs://10.0.0.2:8470', TOKEN);
    assert.equal(security.tokenInCredentials, true);
    assert.equal(security.credentials._isSecure(), true);
    const client = new XlaClient('grpcs://10.0.0.2:8470', TOKEN);
    try {
      assert.deepEqual(client.metadata().get('authorization'), []);
    } finally {
      client.close();
    }
  });

  it('tls options with a grpc:// address: refused, with the grpcs:// spelling', () => {
    assert.throws(() => channelSecurity('grpc://127.0.0.1:8470', undefined, { tls: {} }), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'invalid-option');
      assert.match(e.message, /plaintext address grpc:\/\/127\.0\.0\.1:8470/);
      assert.match(e.fix ?? '', /'grpcs:\/\/127\.0\.0\.1:8470'/);
      return true;
    });
  });

  it('a CA file that is missing, or not a PEM certificate, is named with the fix', () => {
    const missing = join(dir, 'missing.pem');
    assert.throws(() => channelSecurity('grpcs://h:1', undefined, { tls: { caFile: missing } }), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'invalid-option');
      assert.match(e.message, new RegExp(`Cannot read the CA certificate file "${missing}": .*ENOENT`));
      assert.match(e.fix ?? '', /--tls-cert file when it is self-signed/);
      return true;
    });
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    assert.throws(() => channelSecurity('grpcs://h:1', undefined, { tls: { caFile: notPem } }), /in the file ".*not\.pem" is not a PEM certificate: no "-----BEGIN CERTIFICATE-----" block/);
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    assert.throws(() => channelSecurity('grpcs://h:1', undefined, { tls: { caCertificate: broken } }), /given as tls\.caCertificate is not a PEM certificate/);
  });

  it('both caFile and caCertificate, or an empty serverNameOverride: refused', () => {
    assert.throws(() => channelSecurity('grpcs://h:1', undefined, { tls: { caFile: 'a.pem', caCertificate: 'x' } }), /Both tls\.caCertificate and tls\.caFile/);
    assert.throws(() => channelSecurity('grpcs://h:1', undefined, { tls: { serverNameOverride: ' ' } }), /tls\.serverNameOverride: received " "/);
  });

  it("the strategy reads its profile's CA variable for grpcs:// addresses only", async () => {
    const previous = process.env.STRATA_XLA_CA_FILE;
    process.env.STRATA_XLA_CA_FILE = join(dir, 'absent-ca.pem');
    try {
      const tls = await new XlaStrategy({ address: 'grpcs://127.0.0.1:1', probeTimeoutMs: 500 }).isAvailable();
      assert.equal(tls.available, false);
      if (!tls.available) assert.match(tls.reason, /absent-ca\.pem/);
      // The variable is a default: over plaintext it is not read, and the tls option wins over it.
      const plain = await new XlaStrategy({ address: 'grpc://127.0.0.1:1', probeTimeoutMs: 500 }).isAvailable();
      assert.equal(plain.available, false);
      if (!plain.available) assert.match(plain.reason, /^no XLA server answered at grpc:\/\/127\.0\.0\.1:1: XLA server call Health failed/);
      const own = await new XlaStrategy({ address: 'grpcs://127.0.0.1:1', probeTimeoutMs: 500, tls: { caFile: join(dir, 'own.pem') } }).isAvailable();
      assert.equal(own.available, false);
      if (!own.available) assert.match(own.reason, /own\.pem/);
    } finally {
      if (previous === undefined) delete process.env.STRATA_XLA_CA_FILE;
      else process.env.STRATA_XLA_CA_FILE = previous;
    }
  });
});
