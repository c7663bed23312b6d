import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FLOP_FORMULA, modelFlops } from './flops/flop-counter.js';
import { machineInfo } from './machine/machine-info.js';
import { batchSizeOf, modelByName } from './models/registry.js';
import type { BenchOptions } from './options.js';
import { benchRoot, repoRoot } from './paths.js';
import { preparePythonEnv } from './peers/python-env.js';
import { deriveRow } from './report/derive.js';
import { renderMarkdown } from './report/markdown-table.js';
import { combineReports } from './report/combine-reports.js';
import { checkTargets, computeRatios, ratioSpread, timeSpread } from './report/ratios.js';
import { replaceBenchBlock, resultsName } from './report/readme-block.js';
import type { BenchReport, ModelFlops, RowResult, TargetCheck } from './report/report-types.js';
import { renderSvgChart } from './report/svg-chart.js';
import { runModel } from './runner/bench-runner.js';
import { measurementOf } from './settings.js';
import { localXlaServerUnavailableReason } from '@strata/backend-tpu';
import { StrataError, quote } from '@strata/core';
import { splitTarget } from './targets.js';
import { allocatorEnvironment, gpuMemoryEnvironment, threadEnvironment } from './worker-environment.js';

/** How every step is timed, printed with the table. */
export const TIMING_NOTE =
  'a step is forward, backward and the Adam update on one fixed batch already on the device, timed until its loss is on the host ' +
  '(tfjs: strategy.runStep(optimizer.minimize), or the strategy\'s compiled step where it compiles steps (--compile-steps), then strategy.read; PyTorch: torch.optim.Adam, loss.item(); jax: float(loss) of the jitted step). ' +
  'Each row runs in its own worker processes (--processes, pooled; start-up and first step from the first); the first step (compilation, kernel set-up) and the warm-up steps are excluded and reported apart.';

/** What one run wrote, for the caller to print. */
export interface RunOutput {
  readonly report: BenchReport;
  readonly markdown: string;
  readonly files: readonly string[];
}

/**
 * Runs the benchmark `options.runs` times and writes, for each run, a JSON report, the
 * Markdown table and an SVG chart; returns the reports.
 */
export async function runBenchmark(options: BenchOptions, command: string, log: (line: string) => void): Promise<RunOutput[]> {
  const root = benchRoot();
  const repo = repoRoot(root);
  const outDir = resolve(options.outDir ?? join(root, 'results'));
  const machine = machineInfo();
  const models = options.models.map(modelByName);
  const flops: Record<string, ModelFlops> = {};
  for (const spec of models) {
    flops[spec.name] = modelFlops(spec, options.imageSize, batchSizeOf(spec.name, options.batchSize));
  }

  // Thread counts, malloc's thresholds and jax's GPU memory policy travel by environment to every
  // worker and to the XLA server, which read them at start.
  if (options.threads !== undefined) Object.assign(process.env, threadEnvironment(options.threads));
  Object.assign(process.env, allocatorEnvironment(options.malloc), gpuMemoryEnvironment());

  const python =
    options.peers.length === 0
      ? ({ ok: false, reason: 'no peers requested (--peers none)' } as const)
      : preparePythonEnv({
          ...(options.python ?? process.env.STRATA_BENCH_PYTHON ? { explicit: options.python ?? process.env.STRATA_BENCH_PYTHON } : {}),
          venvDir: process.env.STRATA_BENCH_VENV ?? join(repo ?? root, '.venv-bench'),
          requirements: join(root, 'python', 'requirements.txt'),
          allowSetup: options.pythonSetup,
          log,
        });
  if (!python.ok) log(`peers skipped: ${python.reason}`);

  // The TPU strategy talks to an XLA server: the given one, or one started here on XLA:CPU.
  const strategyOptions: Record<string, Record<string, unknown>> = {};
  // The bundle carries tfjs-backend-wasm's binaries and may carry a native engine beside it.
  if (existsSync(join(root, 'wasm', 'tfjs-backend-wasm-simd.wasm'))) strategyOptions.wasm = { wasmPaths: `${join(root, 'wasm')}/` };
  if (!repo && !process.env.STRATA_NATIVE_DIR && existsSync(join(root, 'native', 'cpu', 'manifest.json'))) process.env.STRATA_NATIVE_DIR = join(root, 'native');
  // Without an address, each tpu worker process starts its own local XLA server (XLA:CPU here),
  // so that the server's process, which runs the programs, is pooled over --processes like
  // every other row's; one shared server would be a single draw.
  let serverProblem: string | undefined;
  let xlaServerPython: string | undefined;
  const tpuAddress = options.tpuAddress ?? process.env.STRATA_TPU_ADDRESS;
  if (options.strategies.some((s) => splitTarget(s).strategy === 'tpu')) {
    if (tpuAddress) strategyOptions.tpu = { address: tpuAddress };
    else {
      const xlaPython = options.xlaPython ?? (repo ? join(repo, '.venv', 'bin', 'python') : undefined);
      serverProblem = xlaPython ? localXlaServerUnavailableReason(xlaPython) : 'no Python with strata_xla_server (run bash scripts/setup.sh, or pass --tpu-address)';
      if (serverProblem) log(`tpu: ${serverProblem}`);
      else xlaServerPython = xlaPython;
    }
  }
  // The cuda strategy's XLA engine starts its own server, with the same Python when one is given.
  if (options.xlaPython && options.strategies.some((s) => splitTarget(s).strategy === 'cuda')) strategyOptions.cuda = { python: options.xlaPython };

  const outputs: RunOutput[] = [];
  // How every row is measured: what the runner gets and what the report's settings say.
  const measurement = measurementOf(options);
  for (let run = 1; run <= options.runs; run++) {
    const date = new Date().toISOString();
    const rows: RowResult[] = [];
    for (const spec of models) {
      const targets = [...options.strategies, ...options.peers];
      const measured = await runModel({
        model: spec,
        targets,
        ...measurement,
        batchSize: flops[spec.name]!.batchSize!,
        learningRate: options.learningRate,
        optimizer: options.optimizer,
        batchNorm: options.batchNorm,
        compileSteps: options.compileSteps,
        stepsPerExecution: options.stepsPerExecution,
        strategyOptions,
        ...(xlaServerPython ? { xlaServerPython } : {}),
        nodeWorker: { command: process.execPath, args: [...process.execArgv, process.argv[1]!, 'worker'] },
        python: python.ok ? { ok: true, command: python.python, script: join(root, 'python', 'peer_worker.py') } : python,
        logDir: join(outDir, 'logs'),
        log: (line) => log(options.runs > 1 ? `[run ${run}/${options.runs}] ${line}` : line),
      });
      // A tpu row with no server says why the server is missing, not just that it is unreachable.
      const fixed = measured.map((row) =>
        serverProblem && splitTarget(row.target).strategy === 'tpu' && row.status === 'unavailable' ? { ...row, reason: `${serverProblem}. ${row.reason ?? ''}` } : row,
      );
      rows.push(...fixed.map((row) => deriveRow(row, flops[spec.name]!.trainFlopsPerStep, flops[spec.name]!.batchSize!, machine.peak)));
    }
    const targets = checkTargets(rows);
    let trainerOverhead: unknown;
    if (options.suite === 'all') {
      const overhead = await measureOverhead(options, log);
      trainerOverhead = overhead.result;
      targets.push(overhead.check);
    }
    const report: BenchReport = {
      tool: '@strata/bench',
      formatVersion: 1,
      date,
      command,
      machine,
      settings: {
        strategies: options.strategies,
        peers: options.peers,
        models: options.models,
        ...measurement,
        ...(options.threads !== undefined ? { threads: options.threads } : {}),
        malloc: options.malloc,
        optimizer: options.optimizer,
        batchNorm: options.batchNorm,
        compileSteps: options.compileSteps,
        stepsPerExecution: options.stepsPerExecution,
      },
      timing: TIMING_NOTE,
      flopFormula: FLOP_FORMULA,
      models: flops,
      python: python.ok ? { ok: true, detail: `${python.python} (${python.source})` } : { ok: false, detail: python.reason },
      rows,
      ratios: computeRatios(rows),
      targets,
      ...(trainerOverhead !== undefined ? { trainerOverhead } : {}),
    };
    const last = options.runs > 1 && run === options.runs;
    const spreads = last ? ratioSpread([...outputs.map((o) => o.report.ratios), report.ratios]) : [];
    const drift = last ? timeSpread([...outputs.map((o) => o.report.rows), report.rows]) : [];
    outputs.push(writeOutputs(report, renderMarkdown(report, spreads, drift), outDir, root, options));
  }
  return outputs;
}

/**
 * The Trainer's overhead over a hand-written loop (bench/src/trainer-overhead.ts), on the CPU
 * strategy and the tiny CNN, as a target row: Trainer time / hand-loop time <= 1.05.
 */
async function measureOverhead(options: BenchOptions, log: (line: string) => void): Promise<{ result: unknown; check: TargetCheck }> {
  const label = 'Trainer overhead <= 5% (Trainer.fit / hand-written runStep loop, cpu, tiny CNN)';
  const base = { label, model: 'tiny-cnn', target: 'cpu', peer: 'hand-written loop', limit: 1.05 };
  try {
    const { measureTrainerOverhead } = await import('./trainer-overhead.js');
    log('measuring the Trainer overhead (cpu, tiny CNN)');
    const result = await measureTrainerOverhead({ strategy: 'cpu', model: 'tiny-cnn', batchSize: batchSizeOf('tiny-cnn', options.batchSize), imageSize: options.imageSize });
    return { result, check: { ...base, ratio: 1 + result.overheadRatio, met: result.withinTarget } };
  } catch (error) {
    log(`trainer overhead not measured: ${(error as Error).message}`);
    return { result: { error: (error as Error).message }, check: base };
  }
}

/** Writes the JSON, Markdown and SVG of one run (stamped, and as the 'latest' names). */
export function writeOutputs(report: BenchReport, markdown: string, outDir: string, root: string, options: Pick<BenchOptions, 'publish' | 'readme'> & Partial<Pick<BenchOptions, 'readmeBlock'>>): RunOutput {
  mkdirSync(outDir, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  const svg = renderSvgChart(report);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const files: string[] = [];
  const write = (path: string, text: string) => {
    writeFileSync(path, text);
    files.push(path);
  };
  write(join(outDir, `bench-${stamp}.json`), json);
  write(join(outDir, `bench-${stamp}.md`), markdown);
  write(join(outDir, `bench-${stamp}.svg`), svg);
  write(join(outDir, 'latest.json'), json);
  write(join(outDir, 'README-table.md'), markdown);
  write(join(outDir, 'chart.svg'), svg);
  if (options.publish) {
    // A named block (--readme-block gpu) is another machine's table: its own committed copies.
    const name = resultsName(options.readmeBlock);
    write(join(root, `${name}.md`), `# Benchmark results\n\n![step time per strategy and peer](${name}.svg)\n\n${markdown}`);
    write(join(root, `${name}.svg`), svg);
  }
  if (options.readme) {
    const path = resolve(options.readme);
    write(path, replaceBenchBlock(readFileSync(path, 'utf8'), markdown, options.readmeBlock));
  }
  return { report, markdown, files };
}

/**
 * Renders saved JSON reports again: the Markdown table and chart (and, with the options, the
 * committed copies and the README block), without running anything. One report renders as it
 * was; several of one machine combine (`combineReports`): each model from the last report that
 * measured it, with the stability and drift of a model measured more than once. Ratios and
 * targets are recomputed from the rows, so a saved report renders with today's rules. The
 * table's "Regenerate" line keeps the commands that measured it.
 */
export function renderSaved(paths: readonly string[], options: Pick<BenchOptions, 'publish' | 'readme' | 'readmeBlock' | 'outDir'>): RunOutput {
  const { report, spreads, drift } = combineReports(paths.map((path) => ({ path, report: readReport(path) })));
  const root = benchRoot();
  return writeOutputs(report, renderMarkdown(report, spreads, drift), resolve(options.outDir ?? join(root, 'results')), root, options);
}

/** Reads earlier JSON reports and returns their ratio spreads and each row's own drift (for --compare). */
export function compareReports(paths: readonly string[]): { ratios: ReturnType<typeof ratioSpread>; drift: ReturnType<typeof timeSpread> } {
  const reports = paths.map(readReport);
  return { ratios: ratioSpread(reports.map((r) => computeRatios(r.rows))), drift: timeSpread(reports.map((r) => r.rows)) };
}

/** A saved JSON report, or a `bad-input` error naming the file. */
function readReport(path: string): BenchReport {
  if (!existsSync(path)) throw new StrataError('bad-input', `No such report: ${quote(path)}.`, { value: path, fix: 'pass the path of a JSON report the bench wrote (bench/results/bench-*.json).' });
  let report: Partial<BenchReport>;
  try {
    report = JSON.parse(readFileSync(path, 'utf8')) as Partial<BenchReport>;
  } catch (error) {
    throw new StrataError('bad-input', `${quote(path)} is not JSON: ${(error as Error).message}.`, { value: path, fix: 'pass a JSON report the bench wrote (bench/results/bench-*.json).' });
  }
  if (report?.tool !== '@strata/bench' || !Array.isArray(report.rows)) {
    throw new StrataError('bad-input', `${quote(path)} is not a report of the bench.`, { value: path, fix: 'pass a JSON report the bench wrote (bench/results/bench-*.json).' });
  }
  return report as BenchReport;
}
