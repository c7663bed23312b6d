// MeshSession over real XLA servers started as jax multi-process meshes on loopback: split
// values travel by process and come back whole, one program runs on every server, members that
// are not one mesh are refused naming the server and the value, and a killed member fails the
// mesh naming it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
import { localXlaServerUnavailableReason } from '../local-xla-server.js';
import { startLocalXlaMesh, type LocalXlaMesh } from '../server/local-xla-mesh.js';
import { XlaStrategy } from '../xla-strategy.js';
import { MeshSession } from './mesh-session.js';
import { XlaClient } from './xla-client.js';

describe('MeshSession over two XLA server processes', { skip: localXlaServerUnavailableReason() }, () => {
  // Mesh a: 2 processes x 2 CPU devices; mesh b: 2 processes x 1 device, for the mismatches and the kill.
  let a: LocalXlaMesh;
  let b: LocalXlaMesh;
  before(async () => {
    // Mesh a's heartbeat outlasts the 10 s silence a stopped member gets, so jax leaves its processes up.
    [a, b] = await Promise.all([startLocalXlaMesh({ processes: 2, devicesPerProcess: 2, heartbeatTimeoutS: 60 }), startLocalXlaMesh({ processes: 2, devicesPerProcess: 1, heartbeatTimeoutS: 5 })]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('uploads each process its rows, reads split values back whole and replicated ones from process 0', async () => {
    const clients = a.addresses.map((address) => new XlaClient(address));
    const mesh = await MeshSession.open(clients, { numDevices: 4 });
    try {
      const x = Float32Array.from({ length: 8 * 3 }, (_, i) => i - 5);
      const split = await mesh.upload(x, [8, 3], 'float32', 'split');
      const whole = await mesh.upload(Int32Array.of(7, 8, 9), [3], 'int32', 'replicated');
      assert.deepEqual([...((await mesh.fetch(split, 'float32', 24)) as Float32Array)], [...x]);
      assert.deepEqual([...((await mesh.fetch(whole, 'int32', 3)) as Int32Array)], [7, 8, 9]);
      const usage = await mesh.usage();
      assert.equal(usage.buffers, 4, 'each of the 2 buffers on each of the 2 servers');
      await mesh.release([split, whole]);
      assert.equal((await mesh.usage()).buffers, 0);
      await assert.rejects(mesh.upload(new Float32Array(6), [3, 2], 'float32', 'split'), /3 rows, which do not divide over the 2 servers/);
      await assert.rejects(mesh.fetch(split, 'float32', 24), /holds no buffer "m0"/);
    } finally {
      await mesh.close();
      for (const c of clients) c.close();
    }
  });

  it('runs each program once on every server: a split matmul and its mean equal the values of the whole batch', async () => {
    const strategy = new XlaStrategy({ addresses: a.addresses, cores: 4 });
    assert.deepEqual(await strategy.isAvailable(), { available: true, engine: 'XLA mesh of 2 servers (cpu, 4 device(s), jax 0.10.2)' });
    await strategy.setup();
    try {
      assert.equal(strategy.numReplicas, 4);
      const report = strategy.describe();
      assert.deepEqual(report.devices, ['cpu:0 (cpu)', 'cpu:1 (cpu)', 'cpu:2048 (cpu)', 'cpu:2049 (cpu)']);
      assert.equal(report.details?.hosts, a.addresses.join(', '));
      const session = strategy.serverSession() as MeshSession;
      const calls = session.executeCalls;
      const xs = Array.from({ length: 8 * 3 }, (_, i) => Math.sin(i));
      const ws = [0.5, -1, 2];
      const x = strategy.distributeBatch(tf.tensor2d(xs, [8, 3]));
      const w = tf.tensor2d(ws, [3, 1]);
      const y = tf.matMul(x, w);
      const mean = tf.mean(y);
      const expected = Array.from({ length: 8 }, (_, r) => ws.reduce((s, wv, c) => s + xs[r * 3 + c] * wv, 0));
      const rows = await y.data();
      rows.forEach((v, r) => assert.ok(Math.abs(v - expected[r]) < 1e-5, `row ${r}: ${v}, expected ${expected[r]}`));
      const m = (await mean.data())[0];
      assert.ok(Math.abs(m - expected.reduce((s, v) => s + v, 0) / 8) < 1e-5, `mean ${m}`);
      const after = session.executeCalls;
      assert.equal(after[0] - calls[0], after[1] - calls[1], 'the same programs ran on both servers');
      assert.ok(after[0] > calls[0]);
      // A run every server refuses is a request error: it fails alone and the mesh goes on.
      const z = tf.add(x, 1);
      const program = strategy.xlaBackend().lowerPending()!;
      const spec = (r: { shape: readonly number[]; dtype: tf.DataType; placement: 'split' | 'replicated' }) => ({ shape: r.shape, dtype: r.dtype, placement: r.placement });
      await session.compile(program.hash, program.text, program.params.map(spec), program.results.map(spec));
      await assert.rejects(session.execute(program.hash, []), (e: unknown) => e instanceof StrataError && /Execute/.test(e.message) && !/out of step/.test(e.message));
      assert.equal(session.failure.current, null);
      assert.equal((await z.data())[0], xs[0] + 1);
      tf.dispose([x, w, y, mean, z]);
    } finally {
      await strategy.teardown();
    }
  });

  it('refuses servers that are not the processes of one mesh, naming the server and the value', async () => {
    const refusal = async (addresses: string[], pattern: RegExp) => {
      const strategy = new XlaStrategy({ addresses, cores: addresses.length });
      const probe = await strategy.isAvailable();
      assert.equal(probe.available, false);
      assert.match((probe as { reason: string }).reason, pattern);
      await assert.rejects(strategy.setup(), (e: unknown) => e instanceof StrataError && e.kind === 'strategy-unavailable' && pattern.test(e.message));
    };
    const probe = new XlaClient(b.addresses[1]);
    const bMeshId = (await probe.health()).mesh_id;
    probe.close();
    await refusal([a.addresses[0], b.addresses[1]], new RegExp(`${b.addresses[1]} reports mesh_id "${bMeshId}", but ${a.addresses[0]} reports "${a.coordinator}/2"`));
    await refusal([a.addresses[0], a.addresses[1], b.addresses[0]], new RegExp(`${a.addresses[0]} is not one of 3 processes: it is one of 2`));
    const alias = a.addresses[0].replace('127.0.0.1', 'localhost');
    await refusal([a.addresses[0], alias], new RegExp(`${alias} is process 0 of mesh "${a.coordinator}/2", as is ${a.addresses[0]}`));
    await assert.rejects(new XlaStrategy({ addresses: a.addresses, cores: 3 }).setup(), /cores: 3 cannot run on the mesh of 2 servers with 4 device\(s\).*use a multiple of 2 up to 4/);
  });

  it('fails the mesh naming a server that stops answering pings for 10 s (a stopped process)', async () => {
    const clients = a.addresses.map((address) => new XlaClient(address));
    const mesh = await MeshSession.open(clients, { numDevices: 4 });
    const stopped = a.servers[1];
    try {
      const t0 = performance.now();
      process.kill(stopped.pid, 'SIGSTOP');
      await assert.rejects(mesh.usage(), new RegExp(`XLA server at ${a.addresses[1]} \\(process 1 of the 2 of the mesh\\) answered no ping of the session for 1\\d s`));
      const seconds = (performance.now() - t0) / 1000;
      assert.ok(seconds >= 10 && seconds < 15, `the silence was noticed after ${seconds.toFixed(1)} s`);
    } finally {
      process.kill(stopped.pid, 'SIGCONT');
      await mesh.close();
      for (const c of clients) c.close();
    }
  });

  it('fails every call naming the server once a member is killed, without waiting on the others', async () => {
    const clients = b.addresses.map((address) => new XlaClient(address));
    const mesh = await MeshSession.open(clients, { numDevices: 2 });
    try {
      const killed = b.servers[1];
      const t0 = performance.now();
      process.kill(killed.pid, 'SIGKILL');
      const pattern = new RegExp(`XLA server at ${b.addresses[1]} \\(process 1 of the 2 of the mesh\\).*Fix: restart every server of the mesh`);
      await assert.rejects(mesh.upload(Float32Array.of(1, 2), [2], 'float32', 'split'), pattern);
      // A failed mesh fails every later call at once, on every server.
      await assert.rejects(mesh.usage(), pattern);
      const seconds = (performance.now() - t0) / 1000;
      assert.ok(seconds < 30, `the failure took ${seconds.toFixed(1)} s`);
      console.log(`mesh failure named the killed server ${seconds.toFixed(2)} s after SIGKILL`);
      // The surviving process: jax's heartbeat (5 s here) stops it, so no process of the mesh hangs.
      const exited = await b.servers[0].waitForExit(30_000);
      assert.ok(exited, 'the other server still ran 30 s after its peer was killed');
      console.log(`the other server ended by itself (${b.servers[0].describeExit(b.servers[0].exit!)})`);
    } finally {
      await mesh.close();
      for (const c of clients) c.close();
    }
  });
});
