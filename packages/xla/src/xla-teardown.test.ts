// XlaStrategy's teardown gives the host's tfjs backend back (against a real XLA server, started here).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
// The test helpers also register tfjs-backend-cpu, the host's backend here.
import { serverSkipReason, startServer, type ServerProcess } from './testing/index.js';
import { XLA_BACKEND_NAME } from './register-kernels.js';
import { XlaStrategy } from './xla-strategy.js';

describe('XlaStrategy teardown', { skip: serverSkipReason() }, () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server?.stop();
  });

  it("gives the host's tfjs backend back, once", async () => {
    await tf.setBackend('cpu');
    const strategy = new XlaStrategy({ address: server.address });
    await strategy.setup();
    assert.equal(tf.getBackend(), XLA_BACKEND_NAME);
    await strategy.teardown();
    assert.equal(tf.getBackend(), 'cpu');
    await tf.setBackend(XLA_BACKEND_NAME);
    await strategy.teardown();
    assert.equal(tf.getBackend(), XLA_BACKEND_NAME, 'a second teardown changes nothing');
    await tf.setBackend('cpu');
  });
});
