// Data parallel over 8 devices of one CPU (XLA_FLAGS=--xla_force_host_platform_device_count=8
// in the server's environment): the same loss curve as 1 core on the same global batch.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { serverSkipReason, startServer, type ServerProcess } from '@strata/xla/testing';
import { strategyCurve } from './testing/strategy-curve.js';
import { TpuStrategy } from './tpu-strategy.js';

const STEPS = 3;
const GLOBAL_BATCH = 16;

describe('TpuStrategy with cores: 8 (SPMD over 8 XLA:CPU devices)', { skip: serverSkipReason() }, () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServer({ devices: 8 });
  });
  after(async () => {
    await server?.stop();
  });

  test('the batch is split, parameters replicated, and the loss curve is the 1-core curve', async () => {
    const eight = new TpuStrategy({ address: server.address, cores: 8 });
    let r8: Awaited<ReturnType<typeof strategyCurve>>;
    try {
      assert.equal((await eight.isAvailable()).available, true);
      await eight.setup();
      assert.equal(eight.numReplicas, 8);
      assert.equal(eight.describe().devices.length, 8);
      // The lowered step carries the SPMD annotations XLA's partitioner needs.
      const backend = eight.xlaBackend();
      const x = eight.distributeBatch(tf.ones([GLOBAL_BATCH, 4]));
      const w = tf.ones([4, 1]);
      const y = tf.matMul(x, w);
      const program = backend.lowerPending()!;
      assert.match(program.text, /mhlo\.num_partitions = 8/);
      assert.match(program.text, /tensor<16x4xf32> \{mhlo\.sharding = "\{devices=\[8,1\]<=\[8\]\}"\}/);
      assert.match(program.text, /tensor<4x1xf32> \{mhlo\.sharding = "\{replicated\}"\}/);
      assert.deepEqual([...(await y.data())], Array.from({ length: GLOBAL_BATCH }, () => 4));
      tf.dispose([x, w, y]);
      // A batch whose rows do not divide by the cores is padded on the way and masked in the program.
      const uneven = eight.distributeBatch(tf.ones([6, 2]));
      const unevenSum = tf.sum(uneven);
      assert.deepEqual([...(await unevenSum.data())], [12]);
      tf.dispose([uneven, unevenSum]);
      r8 = await strategyCurve(eight, { optimizer: 'adam' }, STEPS, GLOBAL_BATCH);
    } finally {
      await eight.teardown();
    }
    const one = new TpuStrategy({ address: server.address, cores: 1 });
    let r1: Awaited<ReturnType<typeof strategyCurve>>;
    try {
      await one.setup();
      r1 = await strategyCurve(one, { optimizer: 'adam' }, STEPS, GLOBAL_BATCH);
    } finally {
      await one.teardown();
    }
    r8.losses.forEach((l, i) => assert.ok(Math.abs(l - r1.losses[i]) < 1e-4, `step ${i}: 8 cores ${l}, 1 core ${r1.losses[i]}`));
    assert.ok(r8.losses[STEPS - 1] < r8.losses[0]);
    assert.equal(r8.compilations[STEPS - 1] - r8.compilations[0], 0, 'no recompilation after the first step');
  });
});
