#!/usr/bin/env node
// Builds the self-contained bench for machines with Node but no Node toolchain or npm:
//   bench/bundle/strata-bench/
//     bin/strata-bench.mjs             the bench, every package inlined, one file
//     node_modules/@tensorflow/tfjs-core, google-protobuf, webgpu (Dawn, this platform's dawn.node)
//                                      tfjs-core as one CommonJS file, kept outside the bundle so that
//                                      the native engine's kernels (tfjs-node's JavaScript, loaded at
//                                      run time) register on the same engine as the bench
//     wasm/*.wasm                      tfjs-backend-wasm's binaries
//     proto/strata_xla.proto           the XLA server protocol, for the tpu strategy
//     python/*.py, requirements.txt, specs/    the PyTorch, Lightning and jax peers
//     native/cpu/                      the native TensorFlow engine built here, when there is one
// Run it with: node bench/bundle/strata-bench/bin/strata-bench.mjs --strategies cpu,cuda,tpu
// Elsewhere:   node bench/scripts/bundle.mjs --out /tmp/strata-bench
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const bench = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repo = dirname(bench);
// `--out DIR` puts the bundle elsewhere (the test builds it in a temporary folder, so that the
// repository keeps a single installed copy of tfjs-core).
const outFlag = process.argv.indexOf('--out');
const out = outFlag > 0 && process.argv[outFlag + 1] ? resolve(process.argv[outFlag + 1]) : join(bench, 'bundle', 'strata-bench');
const require = createRequire(join(bench, 'package.json'));
const packageDir = (name) => dirname(require.resolve(`${name}/package.json`));

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'bin'), { recursive: true });

// 1. The bench itself. Its own ESM shims let inlined CommonJS packages call require(). The
//    backends come in through @strata/strategies' literal imports (inlined, loaded lazily).
await build({
  entryPoints: [join(bench, 'src', 'cli.ts')],
  outfile: join(out, 'bin', 'strata-bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // tfjs-node(-gpu) are optional run-time imports of the cuda backend: resolved on the target, if there.
  external: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
  // CommonJS code inside (tfjs-backend-wasm's Emscripten glue, protobufjs) expects require,
  // __filename and __dirname: give it the bundle's own.
  banner: {
    js: [
      "import { createRequire as __strataRequire } from 'node:module';",
      "import { fileURLToPath as __strataPath } from 'node:url';",
      "import { dirname as __strataDir } from 'node:path';",
      'const require = __strataRequire(import.meta.url);',
      'const __filename = __strataPath(import.meta.url);',
      'const __dirname = __strataDir(__filename);',
    ].join(' '),
  },
  logLevel: 'warning',
  legalComments: 'none',
});

// 2. tfjs-core, one CommonJS file (with seedrandom and node-fetch inlined) in a minimal package.
const core = packageDir('@tensorflow/tfjs-core');
const coreOut = join(out, 'node_modules', '@tensorflow', 'tfjs-core');
await build({
  entryPoints: [join(core, 'dist', 'tf-core.node.js')],
  outfile: join(coreOut, 'dist', 'tf-core.node.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
});
const coreVersion = JSON.parse(readFileSync(join(core, 'package.json'), 'utf8')).version;
writeFileSync(join(coreOut, 'package.json'), `${JSON.stringify({ name: '@tensorflow/tfjs-core', version: coreVersion, main: 'dist/tf-core.node.js' }, null, 2)}\n`);
cpSync(packageDir('google-protobuf'), join(out, 'node_modules', 'google-protobuf'), { recursive: true });

// 3. Assets looked up next to the code at run time.
const wasm = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
mkdirSync(join(out, 'wasm'));
for (const f of readdirSync(wasm).filter((f) => f.endsWith('.wasm'))) cpSync(join(wasm, f), join(out, 'wasm', f));
// Dawn: backend-webgpu imports 'webgpu' by a variable name (so that browser bundlers leave the
// native module alone), which esbuild cannot inline either: ship the package itself, with only
// this platform's dawn.node, where Node's resolution finds it from bin/.
const webgpu = packageDir('webgpu');
const platformDir = `${process.platform}-${process.platform === 'darwin' ? 'universal' : process.arch}`;
if (existsSync(join(webgpu, 'dist', platformDir))) {
  const webgpuOut = join(out, 'node_modules', 'webgpu');
  for (const f of ['index.js', 'package.json', 'LICENSE.md']) cpSync(join(webgpu, f), join(webgpuOut, f));
  cpSync(join(webgpu, 'dist', platformDir), join(webgpuOut, 'dist', platformDir), { recursive: true });
}
cpSync(join(repo, 'packages', 'xla-server', 'proto', 'strata_xla.proto'), join(out, 'proto', 'strata_xla.proto'));
// The peers: peer_worker.py and the modules it imports (the protocol, the models), the
// requirements, and the models' specs for the standalone scripts.
mkdirSync(join(out, 'python'));
for (const f of readdirSync(join(bench, 'python')).filter((f) => f.endsWith('.py') || f === 'requirements.txt')) cpSync(join(bench, 'python', f), join(out, 'python', f));
cpSync(join(bench, 'python', 'specs'), join(out, 'python', 'specs'), { recursive: true });
cpSync(join(bench, 'BUNDLE.md'), join(out, 'README.md'));

// 4. The native engine built on this machine, without its node_modules (the engine re-links its
//    JavaScript dependencies on load, here to the bundle's tfjs-core). Its deps/lib stays: links to
//    the TensorFlow libraries it was built against, valid where those libraries are.
const native = join(repo, '.strata', 'native', 'cpu');
if (existsSync(join(native, 'manifest.json'))) {
  cpSync(native, join(out, 'native', 'cpu'), {
    recursive: true,
    filter: (src) => !src.includes(join('package', 'node_modules')),
  });
}
console.log(`bundle: wrote ${out}`);
