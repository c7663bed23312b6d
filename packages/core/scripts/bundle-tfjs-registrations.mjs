// Builds dist/tfjs-registrations.js: tfjs-core's gradient configs and chained ops, collected
// rather than installed (see tfjs-registrations-staging.js), on the host's tfjs-core.
// tfjs-core's ESM files import without extensions, so Node cannot load its registration modules
// directly, and its CommonJS main bundle has neither. esbuild bundles them with the internal
// helpers they need; every module tfjs-core's public entry exports becomes an import of
// `@tensorflow/tfjs-core` (tfjs-registrations-plan.mjs), so the bundle holds no engine, Tensor
// class, environment or registry of its own, and the build fails if it does.
import { build } from 'esbuild';
import { mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tfjsPublicApi } from './tfjs-public-api.mjs';
import { REGISTRATION_ENTRIES, facadeVariant, isRegistrationModule, planRegistrationsBundle, resolveModule } from './tfjs-registrations-plan.mjs';
import { checkRegistrationsBundle } from './tfjs-registrations-check.mjs';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(dirname(createRequire(join(packageDir, 'package.json')).resolve('@tensorflow/tfjs-core/package.json')), 'dist');
const outfile = join(packageDir, 'dist', 'tfjs-registrations.js');
// The specifier the entry and the staged facades import the staging module by.
const STAGING = 'strata:tfjs-registrations-staging';
// The one module of the bundle that imports the host's tfjs-core: as a namespace, so that a name
// an older tfjs-core lacks is undefined where it is used rather than an error when the bundle loads.
const HOST_TFJS_CORE = 'strata:host-tfjs-core';

const plan = planRegistrationsBundle(distDir, tfjsPublicApi(distDir));

/**
 * The source of a facade: each export as the value the host's tfjs-core holds (its expression
 * over the namespace `tfc`), or the staging module's ('staged').
 */
function facadeSource(exports) {
  const lines = [`import { tfc } from '${HOST_TFJS_CORE}';`];
  const staged = [...exports].filter(([, e]) => e === 'staged').map(([name]) => name);
  if (staged.length > 0) lines.push(`export { ${staged.join(', ')} } from '${STAGING}';`);
  for (const [name, expression] of exports) if (expression !== 'staged') lines.push(`export const ${name} = ${expression};`);
  return lines.join('\n');
}

const hostTfjsCore = {
  name: 'host-tfjs-core',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\/tfjs-core$/ }, (args) => ({ path: args.path, external: true }));
    build.onResolve({ filter: new RegExp(`^${HOST_TFJS_CORE}$`) }, (args) => ({ path: args.path, namespace: 'host-tfjs-core' }));
    build.onResolve({ filter: new RegExp(`^${STAGING}$`) }, () => ({ path: join(packageDir, 'scripts', 'tfjs-registrations-staging.js') }));
    build.onResolve({ filter: /^\./ }, (args) => {
      const file = resolveModule(args.resolveDir, args.path);
      const key = `${facadeVariant(distDir, args.importer, file)}:${relative(distDir, file)}`;
      if (plan.facades.has(key)) return { path: key, namespace: 'tfjs-facade' };
      if (plan.bundled.has(file)) return { path: file, sideEffects: isRegistrationModule(distDir, file) };
      return { errors: [{ text: `tfjs-core module ${relative(distDir, file)} is not in the registrations plan` }] };
    });
    // Anything else (another package) would be bundled unchecked: refuse it.
    build.onResolve({ filter: /.*/ }, (args) => ({ errors: [{ text: `${args.path}, imported by ${args.importer}, is outside the registrations plan` }] }));
    build.onLoad({ filter: /.*/, namespace: 'host-tfjs-core' }, () => ({
      contents: "import * as tfc from '@tensorflow/tfjs-core';\nexport { tfc };",
      resolveDir: packageDir,
      loader: 'js',
    }));
    build.onLoad({ filter: /.*/, namespace: 'tfjs-facade' }, (args) => ({
      contents: facadeSource(plan.facades.get(args.path)),
      resolveDir: packageDir,
      loader: 'js',
    }));
  },
};

mkdirSync(join(packageDir, 'dist'), { recursive: true });
const result = await build({
  stdin: {
    contents: [
      ...REGISTRATION_ENTRIES.map((p) => `import ${JSON.stringify(`./${p}`)};`),
      `export { gradientConfigs, tensorMethods } from '${STAGING}';`,
    ].join('\n'),
    resolveDir: distDir,
    sourcefile: 'tfjs-registrations.js',
  },
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  outfile,
  absWorkingDir: packageDir,
  metafile: true,
  plugins: [hostTfjsCore],
  logLevel: 'warning',
});
checkRegistrationsBundle(outfile, result.metafile);
console.log(`dist/tfjs-registrations.js: ${statSync(outfile).size} bytes, ${plan.bundled.size} tfjs-core modules bundled, ${plan.facades.size} taken from @tensorflow/tfjs-core`);
