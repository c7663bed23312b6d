import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TINY_CNN } from '@strata/vision/models';
import { MLP } from '../models/mlp.js';
import { MESSAGE_PREFIX, parseWorkerLine } from '../worker/protocol.js';
import { runModel, type RunPlan } from './bench-runner.js';

// A stand-in worker that speaks the protocol without tfjs: its target name says how it behaves.
const FAKE_WORKER = `
const config = JSON.parse(process.env.STRATA_BENCH_WORKER_CONFIG);
const send = (m) => process.stdout.write(${JSON.stringify(MESSAGE_PREFIX)} + JSON.stringify(m) + '\\n');
const t = config.target;
const log = [];
if (t === 'absent') { send({ type: 'unavailable', reason: 'no such device', remedy: 'buy one' }); process.exit(0); }
console.log('library noise on stdout');
// 'xla' names the input it was given in its engine and reports CPU times and backend counters.
send({ type: 'ready', setupMs: 5, device: { engine: 'fake ' + t + (t === 'xla' ? ' ' + JSON.stringify(config.input) : ''), devices: [], details: {} } });
if (t === 'crash') { console.error('Segmentation fault (pretend)'); process.exit(139); }
send({ type: 'warm', firstStepMs: 50, warmupMs: [] });
let step = 0;
require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line);
  if (c.cmd === 'finish') { send({ type: 'final', rssPeakBytes: 1000, tfjsPeakBytes: 10 }); process.exit(0); }
  if (t === 'hang') return;
  const ms = Array.from({ length: c.steps }, () => (t === 'slow' ? 400 : 10 + (step++ % 3)));
  if (t === 'xla') {
    const counters = { compilations: 0, executions: c.steps, fetches: 0, uploads: 2 * c.steps, programs: 0, compileMs: 0, recordMs: c.steps, lowerMs: 0.5 * c.steps, uploadMs: 3 * c.steps, executeMs: 4 * c.steps };
    send({ type: 'steps', ms, loss: 0.5, cpuMs: ms.map((m) => m / 2), backend: counters });
    return;
  }
  // The runner's order of calls is what the test reads, through the log file.
  send({ type: 'steps', ms, loss: 0.5 });
});
`;

function plan(targets: string[], overrides: Partial<RunPlan> = {}): RunPlan {
  const dir = mkdtempSync(join(tmpdir(), 'strata-bench-runner-'));
  const worker = join(dir, 'fake-worker.cjs');
  writeFileSync(worker, FAKE_WORKER);
  return {
    model: TINY_CNN,
    targets,
    batchSize: 2,
    imageSize: 8,
    steps: 6,
    warmup: 1,
    chunk: 2,
    processes: 1,
    maxSecondsPerTarget: 60,
    minSecondsPerTarget: 0,
    stepTimeoutSeconds: 1,
    learningRate: 1e-3,
    optimizer: 'flat',
    batchNorm: 'strata',
    strategyOptions: {},
    nodeWorker: { command: process.execPath, args: [worker] },
    python: { ok: false, reason: 'no python3 on PATH' },
    logDir: join(dir, 'logs'),
    log: () => undefined,
    ...overrides,
  };
}

describe('runModel', () => {
  it('measures each target in rounds and keeps the rows of the others when one crashes, hangs or is unavailable', async () => {
    const rows = await runModel(plan(['good', 'crash', 'absent', 'hang', 'pytorch']));
    const by = Object.fromEntries(rows.map((r) => [r.target, r]));
    assert.deepEqual(rows.map((r) => r.target), ['good', 'crash', 'absent', 'hang', 'pytorch']);
    assert.equal(by.good!.status, 'ok');
    assert.deepEqual(by.good!.stepsMs, [10, 11, 12, 10, 11, 12]);
    assert.equal(by.good!.firstStepMs, 50);
    assert.equal(by.good!.rssPeakBytes, 1000);
    assert.equal(by.good!.device?.engine, 'fake good');
    assert.equal(by.crash!.status, 'failed');
    assert.match(by.crash!.reason!, /exited with code 139.*Segmentation fault \(pretend\)/);
    assert.equal(by.absent!.status, 'unavailable');
    assert.equal(by.absent!.reason, 'no such device Remedy: buy one');
    assert.equal(by.hang!.status, 'timed-out');
    assert.equal(by.pytorch!.status, 'skipped');
    assert.equal(by.pytorch!.reason, 'no python3 on PATH');
  });

  it('does not measure a target whose first step is over its whole budget', async () => {
    const rows = await runModel(plan(['good'], { maxSecondsPerTarget: 0.04 }));
    assert.equal(rows[0]!.status, 'timed-out');
    assert.equal(rows[0]!.firstStepMs, 50);
    assert.match(rows[0]!.reason!, /first step took 0 s, over the 0.04 s budget per row/);
  });

  it('runs fewer steps for a target over its time budget, and says so', async () => {
    const rows = await runModel(plan(['slow'], { maxSecondsPerTarget: 1, steps: 10 }));
    // 400 ms steps in a 1 s budget: one step in the first round, one more (600 ms left), then none.
    assert.deepEqual(rows[0]!.stepsMs, [400, 400]);
    assert.equal(rows[0]!.reason, '2 of 10 steps: 1 s budget per target');
  });
});

describe('runModel with a minimum time per row', () => {
  it('runs a fast row past --steps until it has measured its minimum time, and a slow one only its steps', async () => {
    // 10 to 12 ms steps: 0.2 s is at least 17 of them, in rounds of 2, interleaved with the slow row.
    const rows = await runModel(plan(['good', 'slow'], { steps: 2, minSecondsPerTarget: 0.2, maxSecondsPerTarget: 10 }));
    const good = rows.find((r) => r.target === 'good')!;
    const total = good.stepsMs.reduce((a, b) => a + b, 0);
    assert.ok(total >= 200 && total < 200 + 2 * 12, `measured ${total} ms, just past the 200 ms minimum`);
    assert.equal(good.reason, undefined);
    assert.ok(new Set(good.stepRounds).size >= 9, 'the extra steps come in rounds of --chunk, not all at once');
    // 400 ms steps have their 0.2 s in their first two steps, which --steps asks for anyway.
    assert.deepEqual(rows.find((r) => r.target === 'slow')!.stepsMs, [400, 400]);
  });

  it('shares the minimum time between the processes of a row', async () => {
    const rows = await runModel(plan(['good'], { steps: 3, processes: 3, minSecondsPerTarget: 0.15 }));
    // 50 ms per process: 5 steps each (10, 11, 12, 10, 11 ms = 54 ms), 15 in all.
    assert.equal(rows[0]!.stepsMs.length, 15);
  });
});

describe('runModel with several processes per target', () => {
  it('pools the steps of each target\'s processes and shares its step count between them', async () => {
    const rows = await runModel(plan(['good', 'absent'], { processes: 3, steps: 6 }));
    const good = rows.find((r) => r.target === 'good')!;
    assert.equal(good.status, 'ok');
    assert.equal(good.processes, 3);
    // Two steps from each of three processes (6 / 3), in round order.
    assert.deepEqual([...good.stepsMs].sort(), [10, 10, 10, 11, 11, 11]);
    assert.ok(good.stepRounds!.every((r, i, all) => i === 0 || all[i - 1]! <= r), 'steps in round order');
    assert.equal(good.firstStepMs, 50);
    // An unavailable target starts one process, not three.
    assert.equal(rows.find((r) => r.target === 'absent')!.status, 'unavailable');
  });

  it("pools each step's CPU time beside its wall time, and sums the XLA backend's counters over every measured step", async () => {
    const rows = await runModel(plan(['xla', 'good'], { model: MLP, batchSize: 64, processes: 2, steps: 6 }));
    const xla = rows.find((r) => r.target === 'xla')!;
    // The worker got the MLP's input: [64, 784] vectors, ten classes.
    assert.equal(xla.device?.engine, 'fake xla {"kind":"vectors","shape":[64,784],"classes":10}');
    assert.equal(xla.stepsMs.length, 6);
    assert.deepEqual(xla.stepsCpuMs, xla.stepsMs.map((m) => m / 2));
    assert.equal(xla.backendStats?.steps, 6);
    assert.deepEqual(xla.backendStats?.counters, { compilations: 0, executions: 6, fetches: 0, uploads: 12, programs: 0, compileMs: 0, recordMs: 6, lowerMs: 3, uploadMs: 18, executeMs: 24 });
    // A worker that reports no CPU times and has no backend counters: neither appears.
    const good = rows.find((r) => r.target === 'good')!;
    assert.equal(good.stepsCpuMs, undefined);
    assert.equal(good.backendStats, undefined);
  });

  it('fails the whole row when one of its processes crashes', async () => {
    const rows = await runModel(plan(['crash'], { processes: 2 }));
    assert.equal(rows[0]!.status, 'failed');
  });
});

describe('parseWorkerLine', () => {
  it('reads prefixed JSON messages and ignores everything else', () => {
    assert.deepEqual(parseWorkerLine(`${MESSAGE_PREFIX}{"type":"steps","ms":[1],"loss":0}`), { type: 'steps', ms: [1], loss: 0 });
    assert.equal(parseWorkerLine('{"type":"steps"}'), undefined);
    assert.equal(parseWorkerLine(`${MESSAGE_PREFIX}not json`), undefined);
  });
});
