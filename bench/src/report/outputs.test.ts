import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeOutputs } from '../bench.js';
import { renderMarkdown } from './markdown-table.js';
import { checkTargets, ratioSpread, timeSpread } from './ratios.js';
import type { BenchReport } from './report-types.js';
import { replaceBenchBlock } from './readme-block.js';
import { sampleReport } from './sample-report.js';
import { stepStats } from './stats.js';
import { renderSvgChart } from './svg-chart.js';

describe('stepStats', () => {
  it('gives the median (mean of the middle two for an even count), min and max', () => {
    assert.deepEqual(stepStats([50, 40, 60, 50]), { n: 4, medianMs: 50, minMs: 40, maxMs: 60, fastQuarterMs: 40 });
    assert.deepEqual(stepStats([3, 1, 2]), { n: 3, medianMs: 2, minMs: 1, maxMs: 3, fastQuarterMs: 1 });
  });

  it('averages the fastest quarter of the steps', () => {
    assert.equal(stepStats([9, 1, 8, 3, 7, 6, 5, 4])!.fastQuarterMs, 2); // (1 + 3) / 2
    assert.equal(stepStats([5])!.fastQuarterMs, 5);
    assert.equal(stepStats([]), undefined);
  });
});

describe('derived columns and ratios', () => {
  const report = sampleReport();
  const cpu = report.rows.find((r) => r.target === 'cpu')!;

  it('derives images/s, GFLOP/s and the share of the CPU peak from the median', () => {
    assert.equal(cpu.stats?.medianMs, 100);
    assert.equal(cpu.imagesPerSecond, 320);
    assert.equal(cpu.achievedGflops, 20); // 2 GFLOP / 0.1 s
    assert.equal(report.machine.peak.gflops, 2 * 2 * 32); // 2 cores x 2 GHz x 32 FLOPs/cycle (AVX2+FMA)
    assert.equal(cpu.peakShare, 20 / 128);
  });

  it('divides each strategy\'s fastest-quarter time by each peer\'s, on the same model', () => {
    // cpu [100, 110, 90] -> 90; pytorch [50, 40, 60, 50] -> 40; jax [200] -> 200.
    assert.deepEqual(
      report.ratios.map((r) => [r.target, r.peer, r.ratio]),
      [['cpu', 'pytorch', 2.25], ['cpu', 'jax', 0.45]],
    );
  });

  it('checks the targets of the other issues, and leaves a target unmeasured when its row is missing', () => {
    const native = report.targets.find((t) => t.label.includes('tiny CNN') && t.label.includes('native'))!;
    assert.equal(native.ratio, 2.25);
    assert.equal(native.met, false);
    const tpu = report.targets.find((t) => t.target === 'tpu')!;
    assert.equal(tpu.ratio, undefined);
    // The pure-JS engine does not count as the native engine.
    const js = report.rows.map((r) => (r.target === 'cpu' ? { ...r, device: { engine: 'tfjs-backend-cpu', devices: [], details: {} } } : r));
    assert.equal(checkTargets(js).find((t) => t.label.includes('native') && t.model === 'tiny-cnn')!.ratio, undefined);
  });

  it('does not count a target on other hardware than it is stated for, and says why', () => {
    const onGpu = (engine: string, devices: string[]) => ({ engine, devices, details: {} });
    const rows = report.rows.map((r) =>
      r.target === 'pytorch' ? { ...r, device: onGpu('PyTorch 2.11.0 eager, cuda', ['cuda: NVIDIA H200']) }
        : r.target === 'jax' ? { ...r, device: onGpu('jax 0.11.2 jit, XLA:GPU', ['gpu: NVIDIA H200']) } : r);
    const tpuRow = { ...rows.find((r) => r.target === 'cpu')!, target: 'tpu', device: onGpu('XLA server (gpu, 1 device(s), jax 0.11.2)', ['gpu:0 (NVIDIA H200)']) };
    const checks = checkTargets([...rows, tpuRow]);
    const native = checks.find((t) => t.label.includes('native') && t.model === 'tiny-cnn')!;
    assert.equal(native.ratio, undefined);
    assert.equal(native.notApplicable, 'pytorch ran on cuda: NVIDIA H200, and the target is against its CPU run');
    const tpu = checks.find((t) => t.target === 'tpu')!;
    assert.equal(tpu.ratio, undefined);
    assert.match(tpu.notApplicable!, /the XLA server ran on gpu:0 \(NVIDIA H200\), and the target is for one on the CPU/);
    const markdown = renderMarkdown({ ...report, rows: [...rows, tpuRow], targets: checks, machine: { ...report.machine, gpus: ['NVIDIA H200'] } });
    assert.match(markdown, /within 1\.05x of jax\.jit \(tiny CNN\): — \(limit 1\.05x, tpu \/ jax\): not applicable here: the XLA server ran on gpu:0/);
    assert.match(markdown, /MiB, 1 GPU: NVIDIA H200, Linux 6\.1/);
  });

  it('measures how much each ratio moves across runs', () => {
    const a = report.ratios;
    const b = a.map((r) => ({ ...r, ratio: r.ratio * 1.05 }));
    const spreads = ratioSpread([a, b, a]);
    assert.equal(spreads.length, 2);
    assert.ok(Math.abs(spreads[0]!.spread - 0.05) < 1e-12);
    assert.deepEqual(spreads[0]!.ratios, [2.25, 2.25 * 1.05, 2.25]);
  });

  it("measures each measured row's own drift across runs, leaving out rows a run lacks", () => {
    const slower = report.rows.map((r) => (r.stats ? { ...r, stats: { ...r.stats, fastQuarterMs: r.stats.fastQuarterMs * 1.1 } } : r));
    const withoutJax = report.rows.filter((r) => r.target !== 'jax');
    const drift = timeSpread([report.rows, slower, withoutJax]);
    assert.deepEqual(
      drift.map((d) => [d.target, d.timesMs.map((t) => Math.round(t * 10) / 10)]),
      [
        ['cpu', [90, 99, 90]],
        ['pytorch', [40, 44, 40]],
      ],
    );
    assert.ok(Math.abs(drift[0]!.spread - 0.1) < 1e-12);
  });
});

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(sampleReport());

  it('prints one row per strategy and peer with the measured columns and the ratios', () => {
    const lines = markdown.split('\n');
    const header = lines.find((l) => l.startsWith('| model |'))!;
    assert.equal(
      header,
      '| model | strategy / peer | engine | median ms | min–max ms | img/s | first step ms | GFLOP/s | % of peak | RSS MiB | tfjs MiB | x PyTorch Lightning | x PyTorch eager | x jax.jit |',
    );
    assert.ok(lines.includes('| tiny-cnn | cpu (native) | TensorFlow 2.21.0 (tfjs-node 4.22.0 binding, cpu) | 100 | 90.0–110 | 320 | 900 | 20.0 | 16% | 512 | 64 | — | 2.25x | 0.45x |'), markdown);
    assert.ok(lines.includes('| tiny-cnn | PyTorch eager | PyTorch 2.13.0 eager, cpu | 50.0 | 40.0–60.0 | 640 | 300 | 40.0 | 31% | 700 | — |  |  |  |'), markdown);
  });

  it('shows an unavailable strategy with its reason, escaped for the table', () => {
    assert.ok(markdown.includes('| tiny-cnn | webgpu |  | unavailable: no GPU adapter \\| none found |'), markdown);
  });

  it('states the machine, the date, the peak formula, the FLOP formula and the targets', () => {
    assert.match(markdown, /Machine: Test CPU @ 2\.00GHz, 2 cores \(4 logical\) at 2\.00 GHz, avx2\/fma\/avx\/sse2/);
    assert.match(markdown, /Date: 2026-11-27T07:00:00\.000Z/);
    assert.match(markdown, /interleaved in rounds of 2; each framework's default thread count\./);
    assert.match(markdown, /Peak: 2 cores x 2\.00 GHz x 32 FLOPs\/cycle \(AVX2 \+ FMA: 2 FMA units x 8 float32 lanes x 2 FLOPs\) = 128\.0 GFLOP\/s float32\./);
    assert.match(markdown, /FLOPs: FLOPs = 2 x multiply-accumulates\. tiny-cnn: 2\.00 GFLOP per step, 0\.02 M parameters\./);
    assert.match(markdown, /- native CPU engine within 1\.5x of PyTorch CPU \(tiny CNN\): 2\.25x \(limit 1\.5x, cpu \/ pytorch\): not met/);
  });

  it('adds the stability table when given spreads', () => {
    const report = sampleReport();
    const withSpread = renderMarkdown(report, ratioSpread([report.ratios, report.ratios.map((r) => ({ ...r, ratio: r.ratio * 1.2 }))]));
    assert.ok(withSpread.includes('| tiny-cnn | cpu | PyTorch eager | 2.25x, 2.70x | 20% |'), withSpread);
  });

  it('adds the drift table when given row times', () => {
    const report = sampleReport();
    const slower = report.rows.map((r) => (r.stats ? { ...r, stats: { ...r.stats, fastQuarterMs: r.stats.fastQuarterMs * 1.25 } } : r));
    const withDrift = renderMarkdown(report, [], timeSpread([report.rows, slower]));
    assert.match(withDrift, /Drift \(each row's own time in each run/);
    assert.ok(withDrift.includes('| tiny-cnn | PyTorch eager | 40.0, 50.0 | 25% |'), withDrift);
    assert.ok(!renderMarkdown(report).includes('Drift'));
  });
});

describe('renderSvgChart', () => {
  const svg = renderSvgChart(sampleReport());

  it('is an SVG with one bar per measured row and a label for each row without numbers', () => {
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.equal(svg.match(/<rect x="230.0"/g)?.length, 3);
    assert.match(svg, />unavailable</);
    assert.match(svg, />100 ms</);
  });

  it('carries the machine and the date', () => {
    assert.match(svg, /Test CPU @ 2\.00GHz, 2 cores, Linux 6\.1; 2026-11-27T07:00:00\.000Z/);
  });

  it('escapes text', () => {
    const report = sampleReport();
    const odd: BenchReport = { ...report, machine: { ...report.machine, cpu: { ...report.machine.cpu, model: 'A<B & "C"' } } };
    assert.match(renderSvgChart(odd), /A&lt;B &amp; &quot;C&quot;/);
  });
});

describe('writeOutputs', () => {
  it('writes the JSON report, the Markdown table and the chart, stamped and as the latest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-bench-test-'));
    const report = sampleReport();
    const out = writeOutputs(report, renderMarkdown(report), dir, dir, { publish: false });
    assert.deepEqual(readdirSync(dir).sort(), [
      'README-table.md',
      'bench-2026-11-27T07-00-00-000Z.json',
      'bench-2026-11-27T07-00-00-000Z.md',
      'bench-2026-11-27T07-00-00-000Z.svg',
      'chart.svg',
      'latest.json',
    ]);
    assert.equal(out.files.length, 6);
    const json = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as BenchReport;
    assert.deepEqual(json, JSON.parse(JSON.stringify(report)));
    assert.equal(json.rows.find((r) => r.target === 'cpu')!.stats!.medianMs, 100);
    assert.equal(json.rows.find((r) => r.target === 'webgpu')!.reason, 'no GPU adapter | none found');
    assert.equal(json.machine.peak.formula, report.machine.peak.formula);
  });

  it('publishes a named block\'s table as its own committed copies, beside the main one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-bench-test-'));
    const report = sampleReport();
    writeOutputs(report, renderMarkdown(report), join(dir, 'results'), dir, { publish: true, readmeBlock: 'gpu' });
    assert.deepEqual(readdirSync(dir).sort(), ['RESULTS-gpu.md', 'RESULTS-gpu.svg', 'results']);
    assert.match(readFileSync(join(dir, 'RESULTS-gpu.md'), 'utf8'), /!\[step time per strategy and peer\]\(RESULTS-gpu\.svg\)/);
  });
});

describe('replaceBenchBlock', () => {
  it('replaces what is between the markers and keeps the rest', () => {
    const readme = '# Strata\n<!-- bench:start -->\nold\n<!-- bench:end -->\nmore\n';
    assert.equal(replaceBenchBlock(readme, '| new |\n'), '# Strata\n<!-- bench:start -->\n| new |\n<!-- bench:end -->\nmore\n');
  });

  it('says where to put the markers when they are missing', () => {
    assert.throws(() => replaceBenchBlock('# Strata\n', 'x'), /no "<!-- bench:start -->"/);
  });

  it('replaces a named block and leaves the main one alone', () => {
    const readme = '<!-- bench:start -->\ncpu\n<!-- bench:end -->\n<!-- bench:gpu:start -->\nold\n<!-- bench:gpu:end -->\n';
    assert.equal(replaceBenchBlock(readme, 'h200', 'gpu'), '<!-- bench:start -->\ncpu\n<!-- bench:end -->\n<!-- bench:gpu:start -->\nh200\n<!-- bench:gpu:end -->\n');
    assert.throws(() => replaceBenchBlock('<!-- bench:start -->\n<!-- bench:end -->\n', 'x', 'gpu'), /no "<!-- bench:gpu:start -->"/);
  });
});
