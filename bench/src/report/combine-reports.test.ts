import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { renderSaved } from '../bench.js';
import { combineReports } from './combine-reports.js';
import { deriveRow } from './derive.js';
import { renderMarkdown } from './markdown-table.js';
import { computeRatios } from './ratios.js';
import type { BenchReport, RowResult } from './report-types.js';
import { sampleReport } from './sample-report.js';

/** The sample report with every step of `target` scaled by `factor`, dated `date`. */
function run(date: string, factor = 1, target = 'cpu'): BenchReport {
  const report = sampleReport();
  const rows = report.rows.map((r) => (r.target === target ? deriveRow({ ...r, stepsMs: r.stepsMs.map((t) => t * factor) }, 2e9, 32, report.machine.peak) : r));
  return { ...report, date, rows, ratios: computeRatios(rows) };
}

/** The sample report's rows as another model's, measured by `--models other-net`. */
function otherModel(date: string): BenchReport {
  const report = sampleReport();
  const rows: RowResult[] = report.rows.map((r) => ({ ...r, model: 'other-net' }));
  return {
    ...report,
    date,
    command: 'npm run bench -- --models other-net',
    settings: { ...report.settings, models: ['other-net'] },
    models: { 'other-net': { ...report.models['tiny-cnn']!, summary: 'other' } },
    rows,
    ratios: computeRatios(rows),
  };
}

const named = (...reports: BenchReport[]) => reports.map((report, i) => ({ path: `r${i + 1}.json`, report }));

describe('combineReports', () => {
  it('renders one report as it was, without stability tables', () => {
    const report = sampleReport();
    const combined = combineReports(named(report));
    assert.deepEqual(combined.report.rows, report.rows);
    assert.deepEqual(combined.spreads, []);
    assert.equal(renderMarkdown(combined.report, combined.spreads, combined.drift), renderMarkdown(report));
  });

  it('gives a model measured three times its last run\'s rows and the spread of its ratios and times', () => {
    const runs = [run('2026-11-27T07:00:00.000Z', 1), run('2026-11-27T07:10:00.000Z', 1.2), run('2026-11-27T07:20:00.000Z', 1.1)];
    const { report, spreads, drift } = combineReports(named(...runs));
    assert.deepEqual(report.rows, runs[2]!.rows);
    const cpuOverTorch = spreads.find((s) => s.target === 'cpu' && s.peer === 'pytorch')!;
    assert.equal(cpuOverTorch.ratios.length, 3);
    assert.ok(Math.abs(cpuOverTorch.spread - 0.2) < 1e-9, `spread ${cpuOverTorch.spread}`);
    assert.ok(Math.abs(drift.find((d) => d.target === 'pytorch')!.spread) < 1e-9, 'the peer did not move');
    assert.equal(report.date, '2026-11-27T07:20:00.000Z');
  });

  it('joins models measured by separate commands, the stability only for the model measured more than once', () => {
    const tiny = [run('2026-11-27T07:00:00.000Z', 1), run('2026-11-27T07:10:00.000Z', 1.05), run('2026-11-27T07:20:00.000Z', 1.02)];
    const other = otherModel('2026-11-27T07:30:00.000Z');
    const { report, spreads, drift } = combineReports(named(...tiny, other));
    assert.deepEqual(report.settings.models, ['tiny-cnn', 'other-net']);
    assert.deepEqual(report.rows.map((r) => `${r.model} ${r.target}`), [...tiny[2]!.rows.map((r) => `tiny-cnn ${r.target}`), ...other.rows.map((r) => `other-net ${r.target}`)]);
    assert.deepEqual(Object.keys(report.models), ['tiny-cnn', 'other-net']);
    assert.ok(spreads.length > 0 && spreads.every((s) => s.model === 'tiny-cnn'));
    assert.ok(drift.every((d) => d.model === 'tiny-cnn'));
    assert.ok(report.ratios.some((r) => r.model === 'other-net'), 'ratios are recomputed over every row');
    assert.equal(report.command, 'npm run bench -- --models tiny-cnn && npm run bench -- --models other-net');
    const markdown = renderMarkdown(report, spreads, drift);
    assert.match(markdown, /Stability/);
    assert.match(markdown, /\| other-net \| cpu \(native\) \|/);
  });

  it('refuses reports of another machine or other settings, naming both files', () => {
    const other = sampleReport();
    const elsewhere: BenchReport = { ...other, machine: { ...other.machine, gpus: ['NVIDIA H200'] } };
    assert.throws(
      () => combineReports(named(sampleReport(), elsewhere)),
      (e: unknown) => e instanceof StrataError && /"r2\.json" was measured on another machine than "r1\.json" \(.*NVIDIA H200/.test(e.message),
    );
    const bigger: BenchReport = { ...other, settings: { ...other.settings, batchSize: 64 } };
    assert.throws(
      () => combineReports(named(sampleReport(), bigger)),
      (e: unknown) => e instanceof StrataError && /another batchSize than "r1\.json" \(64 against 32\)/.test(e.message),
    );
    assert.throws(() => combineReports([]), (e: unknown) => e instanceof StrataError && /No report/.test(e.message));
  });
});

describe('renderSaved', () => {
  it('renders saved files into one table, and names a file that is missing or not a report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-bench-render-'));
    const paths = [run('2026-11-27T07:00:00.000Z'), run('2026-11-27T07:10:00.000Z', 1.1), otherModel('2026-11-27T07:20:00.000Z')].map((report, i) => {
      const path = join(dir, `run${i}.json`);
      writeFileSync(path, JSON.stringify(report));
      return path;
    });
    const out = renderSaved(paths, { publish: false, outDir: join(dir, 'out'), readmeBlock: 'bench' });
    assert.match(readFileSync(join(dir, 'out', 'README-table.md'), 'utf8'), /Stability/);
    assert.deepEqual(out.report.settings.models, ['tiny-cnn', 'other-net']);
    assert.throws(() => renderSaved([join(dir, 'absent.json')], { publish: false, readmeBlock: 'bench' }), (e: unknown) => e instanceof StrataError && /No such report: ".*absent\.json"/.test(e.message));
    writeFileSync(join(dir, 'torn.json'), '{"tool": "@strata/bench", "rows": [');
    assert.throws(() => renderSaved([join(dir, 'torn.json')], { publish: false, readmeBlock: 'bench' }), (e: unknown) => e instanceof StrataError && /"[^"]*torn\.json" is not JSON/.test(e.message));
    writeFileSync(join(dir, 'other.json'), '{"name": "something else"}');
    assert.throws(() => renderSaved([join(dir, 'other.json')], { publish: false, readmeBlock: 'bench' }), (e: unknown) => e instanceof StrataError && /is not a report of the bench/.test(e.message));
  });
});
