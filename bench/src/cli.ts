#!/usr/bin/env node
/**
 * The bench's command line: `npm run bench -- --strategies cpu,wasm --models tiny-cnn`.
 * Run as `cli.js worker`, it is one row's worker process (the bench starts those itself).
 */
import { basename } from 'node:path';
import { StrataError } from '@strata/core';
import { compareReports, renderSaved, runBenchmark } from './bench.js';
import { parseOptions, USAGE, type BenchOptions } from './options.js';
import { ms, percent, times } from './report/format.js';
import { MESSAGE_PREFIX, WORKER_CONFIG_ENV, type WorkerConfig } from './worker/protocol.js';

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'worker') {
    // A worker reports its own failure through the protocol and exits: open handles (stdin, a
    // gRPC channel, a GPU device) would otherwise keep a failed worker alive until its timeout.
    try {
      const { runStrategyWorker } = await import('./worker/strategy-worker.js');
      const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? 'null') as WorkerConfig | null;
      if (!config) throw new Error(`the worker needs its configuration in $${WORKER_CONFIG_ENV}`);
      await runStrategyWorker(config);
    } catch (error) {
      console.error(error);
      process.stdout.write(`${MESSAGE_PREFIX}${JSON.stringify({ type: 'error', message: (error as Error)?.message ?? String(error) })}\n`, () => process.exit(1));
      return 1;
    }
    process.exit(0);
  }
  const options = parseOptions(argv);
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.suite === 'mesh') return runMeshSuite(argv, options);
  if (options.render) {
    const out = renderSaved(options.render, options);
    console.log(out.markdown);
    for (const file of out.files) console.error(`bench: wrote ${file}`);
    return 0;
  }
  if (options.compare.length > 0) {
    const { ratios, drift } = compareReports(options.compare);
    for (const s of ratios) console.log(`${s.model} ${s.target} / ${s.peer}: ${s.ratios.map((r) => times(r)).join(', ')} (spread ${percent(s.spread)})`);
    console.log('');
    for (const d of drift) console.log(`${d.model} ${d.target}: ${d.timesMs.map((t) => `${ms(t)} ms`).join(', ')} (drift ${percent(d.spread)})`);
    return 0;
  }
  const log = (line: string) => console.error(`bench: ${line}`);
  // The self-contained bundle (bench/BUNDLE.md) runs without npm: its table says how it was run.
  const runner = basename(process.argv[1] ?? '') === 'strata-bench.mjs' ? 'node strata-bench/bin/strata-bench.mjs' : 'npm run bench --';
  const command = `${runner}${argv.length ? ` ${argv.join(' ')}` : ''}`;
  let code = 0;
  if (options.suite !== 'trainer-overhead') {
    const outputs = await runBenchmark(options, command, log);
    const last = outputs[outputs.length - 1]!;
    console.log(last.markdown);
    for (const file of last.files) log(`wrote ${file}`);
  }
  if (options.suite === 'trainer-overhead') code = await runTrainerOverhead(argv);
  return code;
}

/** The mesh suite (bench/src/mesh): runs it, or with --render writes a saved report's table again. */
async function runMeshSuite(argv: readonly string[], options: BenchOptions): Promise<number> {
  const { renderSavedMesh, runMeshScaling } = await import('./mesh/mesh-scaling.js');
  const log = (line: string) => console.error(`bench: ${line}`);
  if (options.render && options.render.length !== 1) {
    throw new StrataError('invalid-option', `--suite mesh --render takes one report, not ${options.render.length}.`, { value: options.render.join(' '), fix: 'pass the one JSON report (mesh-*.json) to render again.' });
  }
  const out = options.render ? renderSavedMesh(options.render[0]!, options) : await runMeshScaling(options, `npm run bench -- ${argv.join(' ')}`, log);
  console.log(out.markdown);
  for (const file of out.files) log(`wrote ${file}`);
  return 0;
}

/** The Trainer-overhead suite (bench/src/trainer-overhead.ts, owned by the Trainer's author), with its own flags. */
async function runTrainerOverhead(argv: readonly string[]): Promise<number> {
  const { runTrainerOverhead: run } = await import('./trainer-overhead.js');
  return run(argv.filter((a, i) => !a.startsWith('--suite') && argv[i - 1] !== '--suite'));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof StrataError ? `bench: ${error.message}` : error);
    process.exitCode = 1;
  },
);
