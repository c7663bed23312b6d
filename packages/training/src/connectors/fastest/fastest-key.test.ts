import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { fastestKeyId, machineSignature, modelSignature, strataVersion, type FastestKey } from './fastest-key.js';
import { batchLeaves, readHostBatch } from './host-batch.js';

class Mlp {}
class OtherMlp {}

describe("the cache key of 'fastest'", () => {
  const candidates = [
    { name: 'cpu', engine: 'tfjs-backend-cpu' },
    { name: 'wasm', engine: 'tfjs-backend-wasm (SIMD)' },
  ];

  async function keyOf(hidden: number, batchSize: number, module: object = new Mlp(), list = candidates, strata = '0.1.0'): Promise<FastestKey> {
    const vars = [tf.variable(tf.zeros([4, hidden])), tf.variable(tf.zeros([hidden]))];
    const batch = { x: tf.zeros([batchSize, 4]), y: tf.zeros([batchSize], 'int32') };
    const host = await readHostBatch(batch);
    const key = { strata, machine: machineSignature(), model: modelSignature(module, vars, batchLeaves(host), '32', undefined), candidates: list };
    tf.dispose([...vars, batch.x, batch.y]);
    return key;
  }

  it('is the same for the same model, whatever tfjs named its variables', async () => {
    const a = await keyOf(8, 16);
    const b = await keyOf(8, 16);
    assert.deepEqual(a, b);
    assert.equal(await fastestKeyId(a), await fastestKeyId(b));
    assert.deepEqual(a.model.parameters, ['float32[4,8]', 'float32[8]']);
    assert.deepEqual(a.model.batch, [
      { path: 'batch.x', shape: [16, 4], dtype: 'float32' },
      { path: 'batch.y', shape: [16], dtype: 'int32' },
    ]);
    assert.equal(a.model.module, 'Mlp');
  });

  it("changes with the variables' shapes, the batch, the module class, the candidates and Strata's version", async () => {
    const base = await fastestKeyId(await keyOf(8, 16));
    const others = await Promise.all([
      await keyOf(9, 16),
      await keyOf(8, 32),
      await keyOf(8, 16, new OtherMlp()),
      await keyOf(8, 16, new Mlp(), candidates.slice(0, 1)),
      await keyOf(8, 16, new Mlp(), candidates, '0.2.0'),
    ].map(fastestKeyId));
    for (const id of others) assert.notEqual(id, base);
    assert.equal(new Set(others).size, others.length);
  });

  it('names this machine: host, CPU model and count, platform and architecture', () => {
    const machine = machineSignature();
    assert.equal(typeof machine.hostname, 'string');
    assert.ok(machine.cpus >= 1);
    assert.equal(machine.platform, process.platform);
    assert.equal(machine.arch, process.arch);
  });

  it("reads Strata's version from @strata/core's package.json", () => {
    const path = createRequire(import.meta.url).resolve('@strata/core/package.json');
    assert.equal(strataVersion(), (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version);
  });
});
