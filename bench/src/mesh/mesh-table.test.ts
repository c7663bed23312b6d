import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { cpuPeak, type CpuInfo } from '../machine/cpu-info.js';
import { deriveRow } from '../report/derive.js';
import type { RowResult } from '../report/report-types.js';
import { meshRatios, type MeshReport } from './mesh-report.js';
import { readMeshReport, writeMeshOutputs } from './mesh-scaling.js';
import { renderMeshMarkdown } from './mesh-table.js';

/** A fixed mesh report: the MLP on one device, two on one server, two servers of one; the last row of the CNN failed. */
function sampleMeshReport(): MeshReport {
  const cpu: CpuInfo = { model: 'Test CPU', cores: 2, logicalCpus: 2, ghz: 2, flags: ['avx2', 'fma'] };
  const peak = cpuPeak(cpu);
  const device = (step: string) => ({ engine: 'XLA server (cpu)', devices: ['cpu:0'], details: { step } });
  const counters = (executeMs: number) => ({ steps: 4, counters: { compilations: 0, executions: 4, fetches: 0, uploads: 0, literals: 0, programs: 0, compileMs: 0, recordMs: 0, lowerMs: 0, uploadMs: 0, executeMs, traces: 0, replays: 4 } });
  const row = (target: string, model: string, stepsMs: number[], extra: Partial<RowResult> = {}): RowResult => ({
    target, kind: 'strategy', model, status: 'ok', device: device('compiled'), firstStepMs: 3000, stepsMs, backendStats: counters(stepsMs.reduce((a, b) => a + b, 0) - 4), ...extra,
  });
  const raw: RowResult[] = [
    // Fastest quarters: 10, 15, 30 ms.
    row('tpu@1x1', 'mlp', [10, 12, 14, 40]),
    row('tpu@1x2', 'mlp', [15, 16, 18, 50]),
    row('tpu@2x1', 'mlp', [30, 32, 35, 60], { device: device('traced') }),
    row('tpu@1x1', 'tiny-cnn', [100, 100, 100, 100]),
    row('tpu@1x2', 'tiny-cnn', [120, 130, 140, 150]),
    { target: 'tpu@2x1', kind: 'strategy', model: 'tiny-cnn', status: 'failed', reason: 'The XLA server at grpc://127.0.0.1:1 | died', stepsMs: [] },
  ];
  return {
    tool: '@strata/bench',
    suite: 'mesh',
    formatVersion: 1,
    date: '2026-12-03T18:00:00.000Z',
    command: 'npm run bench -- --suite mesh',
    machine: { cpu, peak, os: 'Linux 6.1', node: 'v20.20.2', memoryBytes: 8 * 2 ** 30 },
    loadAverage: { start: 6.5, end: 1.25 },
    settings: {
      models: ['mlp', 'tiny-cnn'], layouts: ['1x1', '1x2', '2x1'], imageSize: 64, steps: 4, warmup: 3, chunk: 3, processes: 2,
      maxSecondsPerTarget: 20, minSecondsPerTarget: 6, stepTimeoutSeconds: 180, optimizer: 'flat', batchNorm: 'strata', compileSteps: 'auto', malloc: 'fixed',
    },
    timing: 'timed until the loss is on the host.',
    models: {
      mlp: { summary: 'mlp', batchSize: 64, input: '784-feature vectors', loss: 'softmax cross-entropy over 10 classes', params: 1, forwardFlopsPerImage: 1, trainFlopsPerStep: 1 },
      'tiny-cnn': { summary: 'cnn', batchSize: 32, input: '64x64x3 images', loss: 'sigmoid cross-entropy', params: 1, forwardFlopsPerImage: 1, trainFlopsPerStep: 1 },
    },
    rows: raw.map((r) => deriveRow(r, 1, r.model === 'mlp' ? 64 : 32, peak)),
  };
}

describe('mesh suite report', () => {
  const report = sampleMeshReport();

  it("divides each row's fastest-quarter time by the baseline's, and several servers' by one server with as many devices", () => {
    const ratios = meshRatios(report.rows, { processes: 1, devicesPerProcess: 1 });
    const of = (model: string, target: string) => ratios.find((r) => r.model === model && r.target === target)!;
    assert.equal(of('mlp', 'tpu@1x1').overBaseline, undefined);
    assert.equal(of('mlp', 'tpu@1x2').overBaseline, 1.5);
    assert.equal(of('mlp', 'tpu@1x2').overOneServer, undefined);
    assert.equal(of('mlp', 'tpu@2x1').overBaseline, 3);
    assert.equal(of('mlp', 'tpu@2x1').overOneServer, 2);
    // A failed row has no ratio, and takes none from the others.
    assert.equal(of('tiny-cnn', 'tpu@1x2').overBaseline, 1.2);
    assert.deepEqual(of('tiny-cnn', 'tpu@2x1'), { model: 'tiny-cnn', target: 'tpu@2x1' });
  });

  it('renders one line per model and layout, with the batch per device, images per second and both ratios', () => {
    const md = renderMeshMarkdown(report);
    assert.match(md, /\| mlp \| 1 server, 2 devices \| 1x2 \| 32 \| 17\.0 \| 15\.0–50\.0 \| 3,765 \| 3,000 \| 24\.8 \| 23\.8 \| 1\.50x \|  \|/);
    assert.match(md, /\| mlp \| 2 servers x 1 device \(step traced every time\) \| 2x1 \| 32 \|.*\| 3\.00x \| 2\.00x \|/);
    assert.match(md, /\| tiny-cnn \| 2 servers x 1 device \| 2x1 \| 16 \| failed: The XLA server at grpc:\/\/127\.0\.0\.1:1 \\\| died \|/);
    assert.match(md, /x 1 server, 1 device \| x 1 server, same devices \|/);
  });

  it('says plainly that the servers share the machine: overhead, not a speed-up; and how to measure it again', () => {
    const md = renderMeshMarkdown(report);
    assert.match(md, /shares its 2 cores/);
    assert.match(md, /adds no hardware/);
    assert.match(md, /"x 1 server, same devices" is the overhead of the distributed runtime/);
    assert.match(md, /None of it is a multi-host speed-up/);
    assert.match(md, /Load average \(1 min\): 6\.5 when the run started, 1\.3 when it ended \(the run's own processes included\); other jobs shared the machine.*read the ratios, not the times\./);
    // The load at the end is the run's own too: only the load at the start says other jobs ran.
    const quiet = renderMeshMarkdown({ ...report, loadAverage: { start: 0.5, end: 2.5 } });
    assert.match(quiet, /Load average \(1 min\): 0\.5 when the run started, 2\.5 when it ended \(the run's own processes included\)\./);
    assert.doesNotMatch(quiet, /other jobs/);
    assert.match(md, /needs several machines/);
    assert.match(md, /Regenerate: `npm run bench -- --suite mesh`/);
  });

  it("writes the JSON and the table, replaces the README's mesh block, and reads the JSON back", () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-mesh-report-'));
    const readme = join(dir, 'README.md');
    writeFileSync(readme, 'intro\n<!-- bench:mesh:start -->\nold\n<!-- bench:mesh:end -->\nrest\n');
    const out = writeMeshOutputs(report, dir, { readme, readmeBlock: 'mesh' });
    const text = readFileSync(readme, 'utf8');
    assert.ok(text.startsWith('intro\n<!-- bench:mesh:start -->\nData-parallel training step time'));
    assert.ok(text.endsWith('<!-- bench:mesh:end -->\nrest\n') && !text.includes('old'));
    assert.deepEqual(readMeshReport(join(dir, 'mesh-latest.json')), report);
    assert.ok(out.files.some((f) => f.endsWith('mesh-2026-12-03T18-00-00-000Z.json')));
  });

  it('refuses a file that is not a mesh report, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-mesh-report-'));
    const other = join(dir, 'bench.json');
    writeFileSync(other, JSON.stringify({ tool: '@strata/bench', rows: [] }));
    const refused = (path: string, pattern: RegExp) => assert.throws(() => readMeshReport(path), (e: unknown) => e instanceof StrataError && e.kind === 'bad-input' && pattern.test(e.message));
    refused(other, /bench\.json" is not a report of the mesh suite/);
    refused(join(dir, 'none.json'), /No such report: ".*none\.json"/);
  });
});
