import { cpuPeak, type CpuInfo } from '../machine/cpu-info.js';
import { deriveRow } from './derive.js';
import { checkTargets, computeRatios } from './ratios.js';
import type { BenchReport, RowResult } from './report-types.js';

/** A fixed report, for tests of the outputs: two strategies, one unavailable, two peers. */
export function sampleReport(): BenchReport {
  const cpu: CpuInfo = { model: 'Test CPU @ 2.00GHz', cores: 2, logicalCpus: 4, ghz: 2, flags: ['avx2', 'fma', 'avx', 'sse2'] };
  const peak = cpuPeak(cpu);
  const flopsPerStep = 2e9;
  const device = (engine: string) => ({ engine, devices: [engine], details: {} });
  const raw: RowResult[] = [
    { target: 'cpu', kind: 'strategy', model: 'tiny-cnn', status: 'ok', device: device('TensorFlow 2.21.0 (tfjs-node 4.22.0 binding, cpu)'), firstStepMs: 900, warmupMs: [120], stepsMs: [100, 110, 90], rssPeakBytes: 512 * 2 ** 20, tfjsPeakBytes: 64 * 2 ** 20 },
    { target: 'webgpu', kind: 'strategy', model: 'tiny-cnn', status: 'unavailable', reason: 'no GPU adapter | none found', stepsMs: [] },
    { target: 'pytorch', kind: 'peer', model: 'tiny-cnn', status: 'ok', device: device('PyTorch 2.13.0 eager, cpu'), firstStepMs: 300, stepsMs: [50, 40, 60, 50], rssPeakBytes: 700 * 2 ** 20 },
    { target: 'jax', kind: 'peer', model: 'tiny-cnn', status: 'ok', device: device('jax 0.10.2 jit, XLA:CPU'), firstStepMs: 2400, stepsMs: [200], rssPeakBytes: 400 * 2 ** 20 },
  ];
  const rows = raw.map((r) => deriveRow(r, flopsPerStep, 32, peak));
  return {
    tool: '@strata/bench',
    formatVersion: 1,
    date: '2026-11-27T07:00:00.000Z',
    command: 'npm run bench -- --models tiny-cnn',
    machine: { cpu, peak, os: 'Linux 6.1', node: 'v20.20.2', memoryBytes: 8 * 2 ** 30 },
    settings: { strategies: ['cpu', 'webgpu'], peers: ['pytorch', 'jax'], models: ['tiny-cnn'], batchSize: 32, imageSize: 64, steps: 4, warmup: 2, chunk: 2, maxSecondsPerTarget: 60, stepTimeoutSeconds: 180 },
    timing: 'timed until the loss is on the host.',
    flopFormula: 'FLOPs = 2 x multiply-accumulates.',
    models: { 'tiny-cnn': { summary: 'tiny', params: 23_649, forwardFlopsPerImage: 22_413_440, trainFlopsPerStep: flopsPerStep } },
    python: { ok: true, detail: '.venv-bench/bin/python' },
    rows,
    ratios: computeRatios(rows),
    targets: checkTargets(rows),
  };
}
