// The client's errors as a library user reads them: gRPC's text without its empty notes, one
// "Fix:" that says how to start the server, and the same through a strategy's probe.
import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { StrataError, selectStrategy } from '@strata/core';
import { XlaStrategy } from '../xla-strategy.js';
import { XlaClient, grpcErrorText } from './xla-client.js';

/** A loopback port nothing listens on: bound once, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const fixCount = (text: string) => text.split('Fix:').length - 1;

describe('grpcErrorText', () => {
  it('drops the empty "Resolution note:" grpc-js appends, and keeps a note that says something', () => {
    const empty = new Error('14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:8470. Resolution note: ');
    assert.equal(grpcErrorText(empty), '14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:8470.');
    const noted = new Error('14 UNAVAILABLE: No addresses resolved. Resolution note: DNS lookup failed');
    assert.equal(grpcErrorText(noted), noted.message);
  });
});

describe('an XLA server that is not there', () => {
  it('a call fails with the reason once, no empty note, and a fix that starts the server', async () => {
    const address = `grpc://127.0.0.1:${await closedPort()}`;
    const client = new XlaClient(address);
    try {
      await assert.rejects(client.health(3000), (e: unknown) => {
        assert.ok(e instanceof StrataError && e.kind === 'server-error');
        assert.doesNotMatch(e.message, /Resolution note/);
        assert.equal(fixCount(e.message), 1, e.message);
        assert.match(e.fix ?? '', /python -m strata_xla_server --port \d+/);
        assert.match(e.fix ?? '', /jax .* grpcio/);
        return true;
      });
    } finally {
      client.close();
    }
  });

  it("the strategy's probe gives a reason without a fix, the remedy apart, and selection says \"Fix:\" once", async () => {
    const strategy = new XlaStrategy({ address: `grpc://127.0.0.1:${await closedPort()}`, probeTimeoutMs: 3000 });
    const availability = await strategy.isAvailable();
    assert.equal(availability.available, false);
    if (availability.available) return;
    assert.doesNotMatch(availability.reason, /Fix:|Resolution note/);
    assert.match(availability.remedy, /python -m strata_xla_server/);
    assert.doesNotMatch(availability.remedy, /packages\/|npm run/);
    await assert.rejects(selectStrategy([strategy], 'xla', {}), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'strategy-unavailable');
      assert.equal(fixCount(e.message), 1, e.message);
      return true;
    });
  });
});
