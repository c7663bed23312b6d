// The libraries bundle for a browser page: an entry that trains (Trainer, DataLoader, a
// TrainingModule, the in-page logger, browser checkpoint storage), decodes and scores images
// (@strata/vision's decoding, losses and metrics) and picks a strategy (wasm, webgpu, and
// @strata/strategies), bundled with esbuild for `platform: 'browser'`. The metafile must show no
// Node built-in, no sharp, no Dawn (npm `webgpu`) and no tfjs-node, and every Node file that a
// package's `browser` map swaps must have been swapped. Prints the bundle's size. A page that
// loads in the main thread gets no worker code in its own chunk when the bundler splits code.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { build, type Metafile } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const PAGE_ENTRY = `
import { Trainer, TrainingModule, DataLoader, InPageLogger, BrowserCheckpointStorage, arrayDataset } from '@strata/training';
import { decodeImage, Resize, WeightedFocalLoss, BinaryClassificationMetrics, rocAuc, sigmoidCrossEntropy, makeGrid } from '@strata/vision';
import { tinyCnn } from '@strata/vision/models';
import { WasmStrategy } from '@strata/backend-wasm';
import { WebGpuStrategy } from '@strata/backend-webgpu';
import { SHIPPED_BACKENDS } from '@strata/strategies';
class Module extends TrainingModule {}
export const everything = [Trainer, Module, DataLoader, InPageLogger, BrowserCheckpointStorage, arrayDataset, decodeImage, Resize,
  WeightedFocalLoss, BinaryClassificationMetrics, rocAuc, sigmoidCrossEntropy, makeGrid, tinyCnn, WasmStrategy, WebGpuStrategy, SHIPPED_BACKENDS];
`;

/** Packages whose code must never reach a page. */
const NODE_ONLY_PACKAGES = /(^|\/)node_modules\/(sharp|@img\/sharp[^/]*|webgpu|@tensorflow\/tfjs-node[^/]*|detect-libc)\//;
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** The workspace packages with a `browser` map, and the map: Node file => browser twin. */
const BROWSER_MAPS = ['training', 'vision', 'backend-wasm', 'backend-webgpu'].map((name) => {
  const manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')) as { browser?: Record<string, string> };
  return { name, map: manifest.browser ?? {} };
});

async function bundle(options: { entry: string; platform: 'browser' }): Promise<{ metafile: Metafile; bytes: number }> {
  const result = await build({
    stdin: { contents: options.entry, resolveDir: join(root, 'test', 'src'), sourcefile: 'page.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: options.platform,
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    outdir: join(root, 'test', 'bundle-out'),
    logLevel: 'silent',
    // tfjs-core's package.json lists side-effect files; its registrations must stay.
    ignoreAnnotations: true,
  });
  const js = result.outputFiles.filter((f) => f.path.endsWith('.js'));
  return { metafile: result.metafile, bytes: js.reduce((n, f) => n + f.contents.byteLength, 0) };
}

/** Every module the bundle took in, and every import it left external. */
function modulesOf(metafile: Metafile): { inputs: string[]; external: string[] } {
  const inputs = Object.keys(metafile.inputs);
  const external = Object.values(metafile.inputs).flatMap((input) => input.imports.filter((i) => i.external).map((i) => i.path));
  return { inputs, external };
}

/** A metafile input that is a Node built-in (esbuild names a browser-disabled one "(disabled):x", an empty module). */
function isBuiltin(path: string): boolean {
  return !path.startsWith('(disabled):') && (BUILTINS.has(path) || BUILTINS.has(path.split('/')[0]));
}

function assertBrowserClean(metafile: Metafile): void {
  const { inputs, external } = modulesOf(metafile);
  assert.deepEqual(inputs.filter(isBuiltin), [], 'Node built-ins bundled');
  assert.deepEqual(external, [], 'imports left external (a page cannot resolve them)');
  assert.deepEqual(inputs.filter((p) => NODE_ONLY_PACKAGES.test(p)), [], 'Node-only packages bundled');
  for (const { name, map } of BROWSER_MAPS) {
    for (const nodeFile of Object.keys(map)) {
      const path = `packages/${name}/${nodeFile.slice(2)}`;
      assert.ok(!inputs.includes(path), `${path} is in the page's bundle: its browser twin ${map[nodeFile]} should have replaced it`);
    }
  }
}

describe('the libraries bundled for a browser page (esbuild, platform browser)', () => {
  it('hold no Node built-in, no sharp, no Dawn and no tfjs-node, and take every browser twin', async (t) => {
    const { metafile, bytes } = await bundle({ entry: PAGE_ENTRY, platform: 'browser' });
    assertBrowserClean(metafile);
    const inputs = Object.keys(metafile.inputs);
    for (const twin of [
      'packages/training/dist/loggers/log-files.browser.js',
      'packages/training/dist/checkpoint/default-checkpoint-storage.browser.js',
      'packages/vision/dist/image/decode-image.browser.js',
      'packages/backend-wasm/dist/wasm-binaries.browser.js',
      'packages/backend-webgpu/dist/quiet-dawn-probe.browser.js',
      'packages/strategies/dist/index.browser.js',
    ]) {
      assert.ok(inputs.includes(twin), `${twin} is not in the bundle`);
    }
    t.diagnostic(`page bundle (minified, without .wasm binaries): ${(bytes / 1024).toFixed(0)} KiB from ${inputs.length} modules`);
  });

  it("bundles the data-loading Web Worker's entry clean as well", async (t) => {
    const { metafile, bytes } = await bundle({ entry: "import '@strata/training/browser-data-worker';", platform: 'browser' });
    assertBrowserClean(metafile);
    const inputs = Object.keys(metafile.inputs);
    assert.ok(inputs.includes('packages/training/dist/data/serve-dataset.js'), inputs.join('\n'));
    // The worker carries the protocol, not the Trainer.
    assert.ok(!inputs.some((p) => p.startsWith('packages/training/dist/loops/')), 'the worker entry pulls in the training loops');
    t.diagnostic(`data-loading worker bundle (minified): ${(bytes / 1024).toFixed(1)} KiB`);
  });

  it('leaves the worker pool out of the page chunk of a page that loads in the main thread (code splitting)', async () => {
    const result = await build({
      stdin: { contents: "import { DataLoader, arrayDataset } from '@strata/training'; export const loader = new DataLoader(arrayDataset([1, 2]));", resolveDir: join(root, 'test', 'src') },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      metafile: true,
      outdir: join(root, 'test', 'bundle-out'),
      logLevel: 'silent',
      ignoreAnnotations: true,
    });
    const outputs = Object.values(result.metafile.outputs);
    const page = outputs.find((o) => o.entryPoint !== undefined)!;
    const workerFiles = ['packages/training/dist/data/worker-pool.js', 'packages/training/dist/data/spawn-data-worker.browser.js'];
    assert.deepEqual(Object.keys(page.inputs).filter((i) => workerFiles.includes(i)), [], "the worker pool is in the page's own chunk");
    // It is still there, in a chunk loaded only when numWorkers > 0.
    assert.ok(outputs.some((o) => o !== page && workerFiles.every((f) => f in o.inputs)), 'no lazy chunk holds the worker pool');
  });

  it('keeps the Node files in a Node bundle of the same entry (the browser map changes nothing there)', async () => {
    const resolved = await build({
      stdin: { contents: "export * from '@strata/training'; export * from '@strata/vision'; export * from '@strata/backend-wasm'; export * from '@strata/backend-webgpu';", resolveDir: join(root, 'test', 'src') },
      bundle: true,
      format: 'esm',
      platform: 'node',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Third-party packages stay external: only the workspace's own files matter here.
      external: ['sharp', 'webgpu', '@tensorflow/*', 'inversify', 'reflect-metadata', '@aws-crypto/*', 'protobufjs', 'protobufjs/*', 'fflate', 'pickleparser'],
    });
    const inputs = Object.keys(resolved.metafile.inputs);
    for (const { name, map } of BROWSER_MAPS) {
      for (const nodeFile of Object.keys(map).filter((f) => f.startsWith('./dist/'))) {
        const path = `packages/${name}/${nodeFile.slice(2)}`;
        assert.ok(inputs.includes(path), `${path} is missing from the Node bundle`);
        assert.ok(!inputs.includes(`packages/${name}/${map[nodeFile].slice(2)}`), `${map[nodeFile]} of ${name} reached the Node bundle`);
      }
    }
  });
});
