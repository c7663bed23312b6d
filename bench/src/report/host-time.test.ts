import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveRow } from './derive.js';
import { hostTimes } from './host-time.js';
import { renderMarkdown } from './markdown-table.js';
import { checkTargets, computeRatios } from './ratios.js';
import type { BenchReport, RowResult } from './report-types.js';
import { sampleReport } from './sample-report.js';

const base = sampleReport();
const cpuServer = (engine: string) => ({ engine, devices: ['cpu:0 (cpu)'], details: {} });
const counters = { compilations: 0, executions: 4, fetches: 0, uploads: 6, programs: 1, compileMs: 0, recordMs: 4, lowerMs: 1, uploadMs: 12, executeMs: 40, traces: 0, replays: 4 };
const raw: RowResult[] = [
  // Four tpu steps of 17 to 20 ms, 8 to 11 ms of Node CPU each; the backend's counters over those four steps.
  { target: 'tpu', kind: 'strategy', model: 'mlp', status: 'ok', device: cpuServer('XLA server (cpu, 1 device(s), jax 0.10.2)'), stepsMs: [17, 18, 19, 20], stepsCpuMs: [8, 9, 10, 11], backendStats: { steps: 4, counters } },
  { target: 'jax', kind: 'peer', model: 'mlp', status: 'ok', device: cpuServer('jax 0.10.2 jit, XLA:CPU'), stepsMs: [0.8, 0.8, 1.0, 1.0], stepsCpuMs: [0.72, 0.72, 0.9, 0.9] },
  // A row of a report from before CPU times: no host-time line.
  { target: 'pytorch', kind: 'peer', model: 'mlp', status: 'ok', device: cpuServer('PyTorch 2.13.0 eager, cpu'), stepsMs: [2, 2] },
];
const rows = raw.map((r) => deriveRow(r, 5e7, 64, base.machine.peak));
const report: BenchReport = {
  ...base,
  settings: { ...base.settings, models: ['mlp'], batchSize: undefined },
  models: { mlp: { summary: 'mlp', batchSize: 64, input: '784-feature vectors', loss: 'softmax cross-entropy over 10 classes', params: 203_530, forwardFlopsPerImage: 406_528, trainFlopsPerStep: 5e7 } },
  rows,
  ratios: computeRatios(rows),
  targets: checkTargets(rows),
};

describe('host time per step', () => {
  it('averages wall and CPU time over the measured steps, and divides the backend counters by the steps they cover', () => {
    const [tpu, jax, ...rest] = hostTimes(rows);
    assert.equal(rest.length, 0);
    assert.deepEqual(tpu, {
      model: 'mlp',
      target: 'tpu',
      wallMs: 18.5,
      cpuMs: 9.5,
      backend: { recordMs: 1, lowerMs: 0.25, uploadMs: 3, executeMs: 10, uploads: 1.5, fetches: 0, executions: 1, compilations: 0, traces: 0, replays: 4 },
    });
    assert.equal(jax!.backend, undefined);
    assert.ok(Math.abs(jax!.cpuMs - 0.81) < 1e-12);
  });

  it('prints a host-time table beside the step table, with the backend columns for XLA rows only', () => {
    const markdown = renderMarkdown(report);
    assert.match(markdown, /Host time per step \(means over the measured steps\)/);
    const lines = markdown.split('\n');
    assert.ok(lines.includes('| mlp | tpu | 18.5 | 9.5 | 51% | 1.0 | 0.3 | 3.0 | 10.0 | 1.50 | 0 | 1 | 0 | 0 | 4 |'), markdown);
    assert.ok(lines.includes('| mlp | jax.jit | 0.9 | 0.8 | 90% |  |  |  |  |  |  |  |  |  |  |'), markdown);
    // Counters of a backend without compiled steps have no traces or replays: a dash, not a zero.
    const { traces: _t, replays: _r, ...older } = counters;
    const olderRows = rows.map((r) => (r.backendStats ? { ...r, backendStats: { steps: 4, counters: older as typeof counters } } : r));
    assert.ok(renderMarkdown({ ...report, rows: olderRows }).split('\n').includes('| mlp | tpu | 18.5 | 9.5 | 51% | 1.0 | 0.3 | 3.0 | 10.0 | 1.50 | 0 | 1 | 0 | — | — |'));
    assert.ok(!lines.some((l) => l.startsWith('| mlp | PyTorch eager | 2.0 |')), 'a row without CPU times has no host-time line');
    assert.ok(!renderMarkdown(base).includes('Host time per step'), 'no table when no row has CPU times');
  });

  it("states each model's batch, input and loss in the heading", () => {
    assert.match(renderMarkdown(report), /^Training step time \(mlp: batch 64 of 784-feature vectors, softmax cross-entropy over 10 classes\), Adam/);
    assert.match(renderMarkdown(base), /^Training step time \(tiny-cnn: batch 32 of 64x64 RGB images, sigmoid cross-entropy\), Adam/);
  });
});

describe('the host-bound MLP target', () => {
  it("checks the difference of the tpu and jax.jit steps in ms, not their ratio", () => {
    const mlp = report.targets.find((t) => t.model === 'mlp')!;
    // Fastest quarter of each: tpu 17 ms, jax 0.8 ms.
    assert.equal(mlp.measure, 'difference');
    assert.ok(Math.abs(mlp.differenceMs! - 16.2) < 1e-9);
    assert.equal(mlp.met, false);
    assert.match(renderMarkdown(report), /- TPU strategy on a local CPU XLA server at most 1 ms a step longer than jax\.jit \(host-bound MLP\): \+16\.2 ms \(limit 1 ms, tpu - jax; 21\.3x\): not met/);
  });

  it('is met within 1 ms, and not applicable where the XLA server is not on the CPU', () => {
    const close = rows.map((r) => (r.target === 'tpu' ? deriveRow({ ...r, stepsMs: [1.5, 1.6, 1.7, 1.8] }, 5e7, 64, base.machine.peak) : r));
    const check = checkTargets(close).find((t) => t.model === 'mlp')!;
    assert.equal(check.met, true);
    const onGpu = rows.map((r) => (r.target === 'tpu' ? { ...r, device: { engine: 'XLA server (gpu, 1 device(s), jax 0.10.2)', devices: ['gpu:0 (NVIDIA H200)'], details: {} } } : r));
    assert.match(checkTargets(onGpu).find((t) => t.model === 'mlp')!.notApplicable!, /the XLA server ran on gpu:0/);
  });

  it('holds the tiny CNN and EfficientNet-B0 tpu targets to 1.05x and 1.02x of jax.jit', () => {
    const tpuRows = (model: string, tpuMs: number): RowResult[] =>
      [
        { target: 'tpu', kind: 'strategy', model, status: 'ok', device: cpuServer('XLA server (cpu, 1 device(s), jax 0.10.2)'), stepsMs: [tpuMs] },
        { target: 'jax', kind: 'peer', model, status: 'ok', device: cpuServer('jax 0.10.2 jit, XLA:CPU'), stepsMs: [100] },
      ].map((r) => deriveRow(r as RowResult, 1e9, 32, base.machine.peak));
    const check = (model: string, tpuMs: number) => checkTargets(tpuRows(model, tpuMs)).find((t) => t.target === 'tpu')!;
    assert.deepEqual([check('tiny-cnn', 105).met, check('tiny-cnn', 106).met, check('tiny-cnn', 106).limit], [true, false, 1.05]);
    assert.deepEqual([check('efficientnet-b0', 102).met, check('efficientnet-b0', 103).met, check('efficientnet-b0', 103).limit], [true, false, 1.02]);
  });
});
