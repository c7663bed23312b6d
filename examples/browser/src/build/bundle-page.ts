import { build, type Metafile } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** The page's script, bundled: its file name in the site, its bytes and esbuild's metafile. */
export interface PageBundle {
  readonly fileName: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

/** The page's entry point (TypeScript; esbuild compiles it). */
export const PAGE_ENTRY = fileURLToPath(new URL('../../src/page/main.ts', import.meta.url));

/**
 * Bundles the page and everything it imports (the Trainer, the melanoma module, tfjs and the
 * WASM and WebGPU backends) into one minified ES module `app.js` in `outDir`, for browsers
 * (package.json `browser` conditions and fields apply). The WASM binaries are not in it: the
 * page fetches them from the site (`copyWasmBinaries`).
 */
export async function bundlePage(outDir: string): Promise<PageBundle> {
  const result = await build({
    entryPoints: { app: PAGE_ENTRY },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: 'linked',
    outdir: outDir,
    metafile: true,
    logLevel: 'error',
    // tfjs-core's package.json lists side-effect files; its kernel and op registrations must stay.
    ignoreAnnotations: true,
  });
  const metafile = result.metafile;
  const [fileName, output] = Object.entries(metafile.outputs).find(([name]) => name.endsWith('app.js'))!;
  return { fileName, bytes: output.bytes, metafile };
}
