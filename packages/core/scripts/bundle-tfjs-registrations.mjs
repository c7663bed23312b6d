// tfjs-core's ESM files import without extensions, so Node cannot load its gradient and
// chained-op registrations directly; its CommonJS main bundle has neither. Like
// tfjs-layers' own bundle, we bundle those two registration modules with esbuild. Their
// registries, engine and Tensor class are global (getGlobal), so they land in the one engine.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
await build({
  stdin: {
    contents: [
      "import '@tensorflow/tfjs-core/dist/register_all_gradients.js';",
      "import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';",
    ].join('\n'),
    resolveDir: process.cwd(),
  },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'es2022',
  outfile: 'dist/tfjs-registrations.js',
  logLevel: 'warning',
  // The file list in tfjs-core's package.json would let esbuild drop these imports.
  ignoreAnnotations: true,
});
