#!/usr/bin/env node
// strata-native: builds and inspects Strata's native TensorFlow engines.
//   strata-native build [--cuda] [--libtensorflow DIR | --python PY] [--dir HOME] [--tarball TGZ] [--force] [--jobs N] [--json]
//   strata-native status [--cuda] [--dir HOME] [--json]
import { parseArgs } from 'node:util';
import { StrataError } from '@strata/core';
import { NativeEngineBuilder } from '../native-engine-builder.js';
import { nativeEngineStatus } from '../native-engine.js';
import type { NativeVariant } from '../native-home.js';
import { nativeHome } from '../native-home.js';

const USAGE = `Usage:
  strata-native build  [--cuda] [--libtensorflow DIR | --python PYTHON] [--dir HOME] [--tarball TGZ] [--force] [--jobs N] [--json]
  strata-native status [--cuda] [--dir HOME] [--json]

build    compiles tfjs-node's binding against the TensorFlow libraries found (in order) at
         --libtensorflow, $LIBTENSORFLOW_DIR, or in the tensorflow / tensorflow-cpu package of
         --python, the project's .venv, or python3; writes it to HOME/cpu (or HOME/cuda).
status   says whether an engine is built and usable, without loading it.
HOME defaults to $STRATA_NATIVE_DIR, else <project>/.strata/native.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      cuda: { type: 'boolean', default: false },
      libtensorflow: { type: 'string' },
      python: { type: 'string' },
      dir: { type: 'string' },
      tarball: { type: 'string' },
      force: { type: 'boolean', default: false },
      jobs: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0] ?? 'help';
  const variant: NativeVariant = values.cuda ? 'cuda' : 'cpu';
  const home = values.dir ?? nativeHome();
  if (values.help || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command === 'status') {
    const status = nativeEngineStatus(variant, home);
    if (values.json) console.log(JSON.stringify(status, null, 2));
    else if (status.state === 'ready') console.log(`${variant} engine ready: TensorFlow ${status.manifest.tensorflow.version} from ${status.manifest.tensorflow.dir}, at ${status.dir}`);
    else console.log(`${variant} engine ${status.state}: ${status.reason}\nFix: ${status.remedy}`);
    return status.state === 'ready' ? 0 : 1;
  }
  if (command === 'build') {
    const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
    if (jobs !== undefined && !(Number.isInteger(jobs) && jobs > 0)) {
      throw new StrataError('invalid-option', `Invalid option --jobs: received ${JSON.stringify(values.jobs)}.`, { fix: '--jobs must be a positive integer.' });
    }
    const report = await new NativeEngineBuilder({
      variant,
      home,
      libtensorflow: values.libtensorflow,
      python: values.python,
      tarball: values.tarball,
      force: values.force,
      jobs,
      log: values.json ? undefined : (line) => console.log(`strata-native: ${line}`),
    }).build();
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      const m = report.manifest;
      console.log(
        `strata-native: ${report.reused ? 'kept' : 'built'} the ${m.variant} engine: tfjs-node ${m.tfjsNode} binding on TensorFlow ${m.tensorflow.version}` +
          ` (${m.tensorflow.source}: ${m.tensorflow.dir}), Node ${m.node.version} N-API ${m.node.napi}, ${m.buildSeconds} s, at ${report.dir}`,
      );
    }
    return 0;
  }
  console.error(`strata-native: unknown command ${JSON.stringify(command)}.\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`strata-native: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
