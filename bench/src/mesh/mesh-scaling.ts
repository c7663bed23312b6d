import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { localXlaServerUnavailableReason } from '@strata/backend-tpu';
import { StrataError, quote } from '@strata/core';
import { modelFlops } from '../flops/flop-counter.js';
import { machineInfo } from '../machine/machine-info.js';
import { batchSizeOf, modelByName } from '../models/registry.js';
import type { BenchOptions } from '../options.js';
import { benchRoot, repoRoot } from '../paths.js';
import { deriveRow } from '../report/derive.js';
import { replaceBenchBlock } from '../report/readme-block.js';
import type { ModelFlops, RowResult } from '../report/report-types.js';
import { runModel } from '../runner/bench-runner.js';
import { measurementOf } from '../settings.js';
import { allocatorEnvironment, threadEnvironment } from '../worker-environment.js';
import { layoutName, meshTarget } from './mesh-layout.js';
import type { MeshReport } from './mesh-report.js';
import { renderMeshMarkdown } from './mesh-table.js';

/** How every step of the mesh suite is timed, printed with the table. */
export const MESH_TIMING_NOTE =
  "a step is forward, backward and the Adam update on one fixed batch already on the devices (each server holding its share of it), run as the strategy's compiled step " +
  'where --compile-steps allows, timed until its loss is on the host (strategy.read). Each row runs in its own worker processes (--processes, pooled), each starting the ' +
  "row's servers; start-up, the first step (compilation on every server) and the warm-up steps are excluded.";

/** What the suite wrote, for the caller to print. */
export interface MeshOutput {
  readonly report: MeshReport;
  readonly markdown: string;
  readonly files: readonly string[];
}

/**
 * The mesh suite: the tpu strategy on each model, once per layout of `options.layouts` (one
 * server of one device, one server of two, two servers of one as a jax.distributed mesh...),
 * every row in its own worker processes that start their own local XLA:CPU servers, the rows
 * interleaved in rounds as every bench row is. Writes the JSON report and the table.
 */
export async function runMeshScaling(options: BenchOptions, command: string, log: (line: string) => void): Promise<MeshOutput> {
  const root = benchRoot();
  const repo = repoRoot(root);
  const xlaPython = options.xlaPython ?? (repo ? join(repo, '.venv', 'bin', 'python') : undefined);
  const problem = xlaPython ? localXlaServerUnavailableReason(xlaPython) : 'no Python with strata_xla_server was given';
  if (problem) {
    throw new StrataError('strategy-unavailable', `The mesh suite cannot start XLA servers: ${problem}.`, {
      value: xlaPython,
      fix: 'pass --xla-python with the Python that has strata_xla_server (bash scripts/setup.sh sets up the project one).',
    });
  }
  if (options.threads !== undefined) Object.assign(process.env, threadEnvironment(options.threads));
  Object.assign(process.env, allocatorEnvironment(options.malloc));

  const measurement = measurementOf(options);
  const machine = machineInfo();
  const models: Record<string, ModelFlops> = {};
  const rows: RowResult[] = [];
  const date = new Date().toISOString();
  const loadAtStart = loadavg()[0]!;
  const outDir = resolve(options.outDir ?? join(root, 'results'));
  for (const name of options.models) {
    const spec = modelByName(name);
    const batchSize = batchSizeOf(name, options.batchSize);
    models[name] = modelFlops(spec, options.imageSize, batchSize);
    const measured = await runModel({
      model: spec,
      targets: options.layouts.map(meshTarget),
      ...measurement,
      batchSize,
      learningRate: options.learningRate,
      optimizer: options.optimizer,
      batchNorm: options.batchNorm,
      compileSteps: options.compileSteps,
      stepsPerExecution: 1,
      strategyOptions: {},
      xlaServerPython: xlaPython!,
      nodeWorker: { command: process.execPath, args: [...process.execArgv, process.argv[1]!, 'worker'] },
      python: { ok: false, reason: 'the mesh suite has no peers' },
      logDir: join(outDir, 'logs'),
      log,
    });
    rows.push(...measured.map((row) => deriveRow(row, models[name].trainFlopsPerStep, batchSize, machine.peak)));
  }
  const report: MeshReport = {
    tool: '@strata/bench',
    suite: 'mesh',
    formatVersion: 1,
    date,
    command,
    machine,
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    settings: {
      ...measurement,
      models: options.models,
      layouts: options.layouts.map(layoutName),
      optimizer: options.optimizer,
      batchNorm: options.batchNorm,
      compileSteps: options.compileSteps,
      malloc: options.malloc,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    },
    timing: MESH_TIMING_NOTE,
    models,
    rows,
  };
  return writeMeshOutputs(report, outDir, options);
}

/** Writes the JSON and Markdown of a mesh report (stamped, and as the 'latest' names) and, with --readme, its README block. */
export function writeMeshOutputs(report: MeshReport, outDir: string, options: Pick<BenchOptions, 'readme' | 'readmeBlock'>): MeshOutput {
  mkdirSync(outDir, { recursive: true });
  const markdown = renderMeshMarkdown(report);
  const stamp = report.date.replace(/[:.]/g, '-');
  const files: string[] = [];
  const write = (path: string, text: string) => {
    writeFileSync(path, text);
    files.push(path);
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  write(join(outDir, `mesh-${stamp}.json`), json);
  write(join(outDir, `mesh-${stamp}.md`), markdown);
  write(join(outDir, 'mesh-latest.json'), json);
  write(join(outDir, 'mesh-table.md'), markdown);
  if (options.readme) {
    const path = resolve(options.readme);
    write(path, replaceBenchBlock(readFileSync(path, 'utf8'), markdown, options.readmeBlock));
  }
  return { report, markdown, files };
}

/** Renders a saved mesh report again (table, --readme), without running anything. */
export function renderSavedMesh(path: string, options: Pick<BenchOptions, 'readme' | 'readmeBlock' | 'outDir'>): MeshOutput {
  return writeMeshOutputs(readMeshReport(path), resolve(options.outDir ?? join(benchRoot(), 'results')), options);
}

/** A saved mesh report, or a `bad-input` error naming the file. */
export function readMeshReport(path: string): MeshReport {
  const fix = 'pass a JSON report the mesh suite wrote (mesh-*.json in its --out-dir, bench/results by default).';
  if (!existsSync(path)) throw new StrataError('bad-input', `No such report: ${quote(path)}.`, { value: path, fix });
  let report: Partial<MeshReport>;
  try {
    report = JSON.parse(readFileSync(path, 'utf8')) as Partial<MeshReport>;
  } catch (error) {
    throw new StrataError('bad-input', `${quote(path)} is not JSON: ${(error as Error).message}.`, { value: path, fix });
  }
  if (report?.tool !== '@strata/bench' || report.suite !== 'mesh' || !Array.isArray(report.rows)) {
    throw new StrataError('bad-input', `${quote(path)} is not a report of the mesh suite.`, { value: path, fix });
  }
  return report as MeshReport;
}
