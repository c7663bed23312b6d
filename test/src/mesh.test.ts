// Two XLA server processes on loopback, 4 forced CPU devices each, joined as one jax mesh of 8
// devices, train the quickstart's model through one TpuStrategy: the loss curve is the curve of
// one server with 8 devices, and of 1 device on the same global batch. Compiled steps replay
// with one Execute per server. Killing one server mid-run fails fit() naming it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrataError } from '@strata/core';
import { CsvLogger, DataLoader, type Callback, Trainer, arrayDataset } from '@strata/training';
import { TpuStrategy, localXlaServerUnavailableReason, startLocalXlaServer, type LocalXlaServer } from '@strata/backend-tpu';
import { startLocalXlaMesh, type LocalXlaMesh, type MeshSession } from '@strata/xla';
// The quickstart's own model and data, as its script trains them.
import { SpiralClassifier } from '@strata/example-quickstart/spiral-classifier';
import { spirals } from '@strata/example-quickstart/spirals';

const EPOCHS = 3;
const BATCH = 64;
const work = mkdtempSync(join(tmpdir(), 'strata-mesh-'));

const data = spirals(512, 1);

/** Trains the classifier for `epochs` on the strategy; the per-step losses from the CSV log. */
async function train(name: string, strategy: TpuStrategy, callbacks: Callback[] = [], epochs = EPOCHS): Promise<number[]> {
  const dir = join(work, name);
  const trainer = new Trainer({
    strategy,
    maxEpochs: epochs,
    enableProgressBar: false,
    enableCheckpointing: false,
    logEveryNSteps: 1,
    logger: [new CsvLogger({ saveDir: dir, name: '', version: '' })],
    callbacks,
  });
  await trainer.fit(new SpiralClassifier(0.02), new DataLoader(arrayDataset(data), { batchSize: BATCH, shuffle: true, seed: 42 }));
  const [header, ...lines] = readFileSync(join(dir, 'metrics.csv'), 'utf8').trim().split('\n');
  const column = header.split(',').indexOf('train_loss_step');
  return lines.map((line) => line.split(',')[column]).filter((v) => v !== undefined && v !== '').map(Number);
}

function assertClose(actual: number[], expected: number[], tolerance: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} steps, expected ${expected.length}`);
  const worst = Math.max(...actual.map((v, i) => Math.abs(v - expected[i])));
  assert.ok(worst <= tolerance, `${what}: largest difference ${worst} > ${tolerance}\n${actual}\n${expected}`);
  console.log(`${what}: largest step difference ${worst.toExponential(2)}`);
}

describe('one TpuStrategy over two XLA servers as one 8-device mesh', { skip: localXlaServerUnavailableReason() }, () => {
  let mesh: LocalXlaMesh;
  let single: LocalXlaServer;
  before(async () => {
    [mesh, single] = await Promise.all([startLocalXlaMesh({ processes: 2, devicesPerProcess: 4, heartbeatTimeoutS: 8 }), startLocalXlaServer({ devices: 8 })]);
  });
  after(async () => {
    await Promise.all([mesh?.stop(), single?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  it('trains the quickstart model with the loss curve of one 8-device server (1e-5) and of 1 device (1e-4), replaying one Execute per server', async () => {
    const strategy = new TpuStrategy({ addresses: mesh.addresses, cores: 8 });
    assert.equal((await strategy.isAvailable()).available, true);
    let meshLosses: number[];
    const perStep: number[][] = [];
    try {
      await strategy.setup();
      assert.equal(strategy.numReplicas, 8);
      assert.equal(strategy.capabilities().maxReplicas, 8);
      const report = strategy.describe();
      assert.equal(report.devices.length, 8);
      assert.equal(report.details?.processes, '2');
      const session = strategy.serverSession() as MeshSession;
      const stats = strategy.stats();
      const [calls, executions, replays] = [session.executeCalls, stats.executions, stats.replays];
      meshLosses = await train('mesh', strategy, [{ onTrainBatchEnd: () => void perStep.push(session.executeCalls) }]);
      const callsAfter = session.executeCalls;
      assert.equal(callsAfter[0] - calls[0], stats.executions - executions, 'one Execute on process 0 per program run');
      assert.equal(callsAfter[1] - calls[1], stats.executions - executions, 'one Execute on process 1 per program run');
      assert.ok(stats.replays - replays >= EPOCHS * (data.length / BATCH) - 2, `replays: ${stats.replays - replays}`);
      // A replayed step of the last epoch is one Execute on each server.
      const last = perStep.slice(-(data.length / BATCH));
      for (let i = 1; i < last.length; i++) assert.deepEqual([last[i][0] - last[i - 1][0], last[i][1] - last[i - 1][1]], [1, 1], `step ${i} of the last epoch`);
    } finally {
      await strategy.teardown();
    }
    const eight = new TpuStrategy({ address: single.address, cores: 8 });
    let eightLosses: number[];
    try {
      eightLosses = await train('eight', eight);
    } finally {
      await eight.teardown();
    }
    const one = new TpuStrategy({ address: single.address, cores: 1 });
    let oneLosses: number[];
    try {
      oneLosses = await train('one', one);
    } finally {
      await one.teardown();
    }
    const epochMeans = (losses: number[]) => Array.from({ length: EPOCHS }, (_, e) => losses.slice(e * 8, e * 8 + 8).reduce((s, v) => s + v, 0) / 8);
    console.log(`epoch losses: mesh 2x4 ${epochMeans(meshLosses)}; one server x8 ${epochMeans(eightLosses)}; 1 device ${epochMeans(oneLosses)}`);
    assert.ok(meshLosses.at(-1)! < meshLosses[0], `the loss did not fall: ${meshLosses}`);
    assertClose(meshLosses, eightLosses, 1e-5, '2x4 mesh vs one server with 8 devices');
    assertClose(meshLosses, oneLosses, 1e-4, '2x4 mesh vs 1 device');
  });

  it('fails fit() within 30 s naming the server killed mid-run, and nothing waits on the other', async () => {
    // The comma-separated address (as STRATA_TPU_ADDRESS or --tpu-address give it) is the same mesh.
    const strategy = new TpuStrategy({ address: mesh.addresses.join(','), cores: 8 });
    const victim = mesh.servers[1];
    let killedAt = 0;
    const killer = {
      onTrainBatchEnd: (_t: unknown, _m: unknown, index: number) => {
        if (index === 3 && killedAt === 0) {
          killedAt = performance.now();
          process.kill(victim.pid, 'SIGKILL');
        }
      },
    };
    try {
      await assert.rejects(train('killed', strategy, [killer], 50), (error: unknown) => {
        assert.ok(error instanceof StrataError, String(error));
        assert.match(error.message, new RegExp(`XLA server at ${victim.address} \\(process 1 of the 2 of the mesh\\)`));
        assert.match(error.message, /restart every server of the mesh, .* resume from the last checkpoint/);
        console.log(`fit() failed with: ${error.message}`);
        return true;
      });
      const seconds = (performance.now() - killedAt) / 1000;
      console.log(`fit() rejected ${seconds.toFixed(2)} s after SIGKILL of ${victim.address}`);
      assert.ok(killedAt > 0 && seconds < 30, `fit() rejected ${seconds.toFixed(1)} s after the kill`);
    } finally {
      await strategy.teardown();
    }
    const survivor = mesh.servers[0];
    const t0 = performance.now();
    // jax's heartbeat (8 s here) ends it: no process of the run hangs.
    const ended = await survivor.waitForExit(30_000);
    assert.ok(ended, 'the other server still ran 30 s after fit() rejected');
    console.log(`the other server ${survivor.describeExit(survivor.exit!)} ${((performance.now() - t0) / 1000).toFixed(1)} s after fit() rejected (jax's heartbeat)`);
  });
});
