import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cpuPeak, parseCpuInfo } from './cpu-info.js';

const block = (n: number, extra: string) => `processor\t: ${n}\nvendor_id\t: GenuineIntel\n${extra}\n`;
const XEON = (n: number) =>
  block(
    n,
    'model name\t: Intel(R) Xeon(R) Processor\ncpu MHz\t\t: 2600.000\nphysical id\t: 0\nsiblings\t: 2\ncpu cores\t: 2\nflags\t\t: fpu sse sse2 avx fma avx2 avx512f avx512bw',
  );

describe('parseCpuInfo and cpuPeak', () => {
  it('reads model, cores, frequency and SIMD flags, and computes cores x GHz x FLOPs/cycle', () => {
    const info = parseCpuInfo([XEON(0), XEON(1)].join('\n'));
    assert.deepEqual(info, { model: 'Intel(R) Xeon(R) Processor', cores: 2, logicalCpus: 2, ghz: 2.6, flags: ['avx512f', 'avx2', 'fma', 'avx', 'sse2'] });
    const peak = cpuPeak(info);
    assert.equal(peak.flopsPerCycle, 64);
    assert.ok(Math.abs(peak.gflops - 332.8) < 1e-9);
    assert.equal(peak.formula, '2 cores x 2.60 GHz x 64 FLOPs/cycle (AVX-512 + FMA: 2 FMA units x 16 float32 lanes x 2 FLOPs) = 332.8 GFLOP/s float32');
  });

  it('counts hyper-threads once and prefers the nominal frequency in the model name', () => {
    const ht = (n: number) =>
      block(n, 'model name\t: Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz\ncpu MHz\t\t: 800.000\nphysical id\t: 0\nsiblings\t: 4\ncpu cores\t: 2\nflags\t\t: sse2 avx fma avx2');
    const info = parseCpuInfo([0, 1, 2, 3].map(ht).join('\n'));
    assert.equal(info.cores, 2);
    assert.equal(info.logicalCpus, 4);
    assert.equal(info.ghz, 3.2);
    assert.equal(cpuPeak(info).gflops, 2 * 3.2 * 32);
  });

  it('falls back to 16 FLOPs/cycle without FMA and 8 with SSE only', () => {
    const base = { model: 'x', cores: 1, logicalCpus: 1, ghz: 1 };
    assert.equal(cpuPeak({ ...base, flags: ['avx', 'sse2'] }).flopsPerCycle, 16);
    assert.equal(cpuPeak({ ...base, flags: ['sse2'] }).flopsPerCycle, 8);
  });
});
