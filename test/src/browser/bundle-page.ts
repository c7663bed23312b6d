// Bundles a browser page's script (or a worker's) for the browser tests: one ES module with its
// imports inlined, as a web app's bundler would make it.
import { build } from 'esbuild';

/** What a test says where no Chromium is found. */
export const NO_CHROMIUM = 'no Chromium found (apt-get install chromium, or set STRATA_CHROMIUM to a Chrome binary)';

/** The bundled script of `entry` (a path relative to `workingDir`, or a package's export). */
export async function bundlePage(entry: string, workingDir: string): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'error',
    absWorkingDir: workingDir,
    // tfjs-core's package.json lists side-effect files; its registrations must stay.
    ignoreAnnotations: true,
  });
  return out.outputFiles[0].text;
}
