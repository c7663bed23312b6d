// The packages as a new user gets them: `npm pack` of every publishable package, installed from
// the tarballs into a new ESM TypeScript application in a temporary folder, type-checked strictly
// with the libraries' declarations, and the README's examples run there on cpu and wasm; then the
// same tarballs beside a host's own @tensorflow/tfjs 4.21, and a host on inversify 7.
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCommand, type CommandResult } from './packaging/npm-command.js';
import { packPackages, publishableDirs, readManifest, type PackedPackage } from './packaging/packed-packages.js';
import { asProgram, swapStrategy, trainerStrategyLines, trainingImportLine, typescriptBlocks } from './packaging/readme-examples.js';
import { appDependencies, compileApp, createApp, installedCopies, npmInstall, type Diagnostic } from './packaging/scratch-app.js';
import { sideEffectModules } from './packaging/side-effect-modules.js';
import { unreachableSources } from './packaging/source-maps.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** SHA-256 of https://www.apache.org/licenses/LICENSE-2.0.txt, the license's official text. */
const APACHE_2_SHA256 = 'cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30';

/** Node versions whose require() loads ES modules without a flag: 20.19+ and 22.12+. */
const REQUIRE_ESM_ENGINES = '^20.19.0 || >=22.12.0';

/** The host's own tfjs, older than the 4.22 the repository builds with. */
const HOST_TFJS = '4.21.0';

/**
 * tfjs-layers 4.x ships declarations that do not compile under `strict`: they are generated
 * without strictNullChecks, so the optional properties of its Keras config types break their
 * `PyJsonValue` index signatures (TS2411) and `LayersModel`'s nullable shapes break the
 * `InferenceModel` it implements (TS2420). An app that keeps `skipLibCheck: false` gets these
 * whenever it uses tfjs-layers' types. They are the one exception, by folder and error code:
 * every other declaration (Strata's, tfjs-core's, inversify's) is checked.
 */
const TFJS_LAYERS_DECLARATIONS = 'node_modules/@tensorflow/tfjs-layers/dist/';
const TFJS_LAYERS_STRICT_ERRORS = ['TS2411', 'TS2420'];

const tolerated = (d: Diagnostic): boolean => d.file.startsWith(TFJS_LAYERS_DECLARATIONS) && d.file.endsWith('.d.ts') && TFJS_LAYERS_STRICT_ERRORS.includes(d.code);
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const alreadyRegistered = (output: string): string[] => output.split('\n').filter((line) => /already registered/i.test(line));
/** The program printed a loss value (`val_loss 0.052 after 120 steps`, `train_loss: 0.6897`): it trained. */
const reportsLoss = (stdout: string): boolean => /loss\W{0,3}\d+\.\d+/.test(stdout);

/** A program of the app: its file name (without .ts) and code. */
interface Program {
  readonly name: string;
  readonly code: string;
  /** It trains a model (the README's "Writing a model"). */
  readonly trains: boolean;
}

/**
 * The README's examples as the app runs them: every block of "Swap the hardware in one line"
 * (the one-line swap, the host container) and the "Writing a model" program, each verbatim, and
 * again with its one `const trainer = new Trainer({ strategy: 'cpu'` line switched to 'wasm'.
 * The one-line swap is a fragment that names `Trainer` without importing it: it runs after the
 * README program's own import line of `@strata/training`.
 */
function readmePrograms(): Program[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const [model, ...others] = typescriptBlocks(readme, 'Writing a model');
  assert.ok(model !== undefined && others.length === 0, 'README "Writing a model" has one ```ts block, the complete program');
  assert.equal(trainerStrategyLines(model, 'cpu').length, 1, `README "Writing a model" has exactly one line starting "const trainer = new Trainer({ strategy: 'cpu'":\n${model}`);
  const programs: Program[] = [];
  const add = (name: string, code: string, trains: boolean): void => {
    programs.push({ name, code, trains });
    if (trainerStrategyLines(code, 'cpu').length > 0) programs.push({ name: `${name}-wasm`, code: swapStrategy(code, 'cpu', 'wasm'), trains });
  };
  const swapSection = typescriptBlocks(readme, 'Swap the hardware in one line');
  assert.ok(swapSection.length >= 2, `README "Swap the hardware in one line" has the one-line swap and the host-container block (found ${swapSection.length} ts blocks)`);
  swapSection.forEach((code, i) => add(`swap-${i + 1}`, asProgram(code, trainingImportLine(model)), false));
  add('model', model, true);
  return programs;
}

/** Runs a compiled program of the app (dist/<file>) with node, in the app's folder. */
async function runProgram(dir: string, file: string) {
  return runCommand(process.execPath, [join('dist', file)], { cwd: dir, timeoutMs: 240_000 });
}

/**
 * A host app with its own @tensorflow/tfjs, installed first, then the tarballs, without
 * --legacy-peer-deps. tfjs-backend-wasm and -webgpu are not part of @tensorflow/tfjs and pin their
 * tfjs-core peer exactly, so the host names their version along with the tarballs.
 */
async function installHostApp(dir: string, packed: readonly PackedPackage[]): Promise<CommandResult[]> {
  createApp(dir, 'strata-host-app');
  const host = await npmInstall(dir, [`@tensorflow/tfjs@${HOST_TFJS}`]);
  if (host.code !== 0) return [host];
  const backends = ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu'].map((name) => `${name}@${HOST_TFJS}`);
  return [host, await npmInstall(dir, [...packed.map((p) => p.tarball), ...backends])];
}

describe('the npm packages, packed and installed as a new user installs them', { timeout: 900_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'strata-pack-install-'));
  const appDir = join(work, 'app');
  const hostDir = join(work, 'host-app');
  let packed: PackedPackage[] = [];
  let programs: Program[] = [];
  let compiled = false;
  /** The host app's two installs, started once the tarballs exist, beside the new app's work. */
  let hostInstalls: Promise<CommandResult[]> = Promise.resolve([]);
  after(() => rmSync(work, { recursive: true, force: true }));

  before(async () => {
    assert.ok(!work.startsWith(root), `the apps live outside the repository (${work})`);
    packed = await packPackages(root, publishableDirs(root), join(work, 'tarballs'));
    hostInstalls = installHostApp(hostDir, packed);
    hostInstalls.catch(() => {});
  });

  it('packs every package under packages/ that is not private', () => {
    const expected = publishableDirs(root).map((dir) => readManifest(dir).name).sort();
    assert.deepEqual(packed.map((p) => p.name), expected);
    assert.ok(expected.includes('@strata/core') && expected.includes('@strata/backend-cpu'), expected.join(', '));
  });

  it('ships README.md and the Apache-2.0 LICENSE (the official text), says Apache-2.0, and engines says where require(esm) works', () => {
    assert.equal(sha256(join(root, 'LICENSE')), APACHE_2_SHA256, 'the repository LICENSE is the official Apache-2.0 text');
    for (const p of packed) {
      assert.ok(p.files.includes('README.md'), `${p.name} ships a README.md`);
      assert.ok(readFileSync(join(p.unpackedDir, 'README.md'), 'utf8').startsWith(`# ${p.name}\n`), `${p.name}'s README starts with its name`);
      assert.ok(p.files.includes('LICENSE'), `${p.name} ships a LICENSE`);
      assert.equal(sha256(join(p.unpackedDir, 'LICENSE')), APACHE_2_SHA256, `${p.name}'s LICENSE is the official Apache-2.0 text`);
      assert.equal(p.manifest.license, 'Apache-2.0', p.name);
      assert.deepEqual(p.manifest.engines, { node: REQUIRE_ESM_ENGINES }, p.name);
      assert.deepEqual(p.files.filter((f) => /\.test\.[jt]s$|(^|\/)(fixtures|testdata)\//.test(f)), [], `${p.name} ships no test files`);
    }
  });

  it('takes tfjs, inversify and reflect-metadata from the host (peer dependencies), and node-gyp only as an optional peer', () => {
    const sharedWithHost = /^(@tensorflow\/tfjs-[a-z-]+|inversify|reflect-metadata|node-gyp)$/;
    for (const p of packed) {
      assert.deepEqual(Object.keys(p.manifest.dependencies ?? {}).filter((name) => sharedWithHost.test(name)), [], `${p.name}: these are peer dependencies, never dependencies`);
      assert.ok(p.manifest.peerDependencies?.['@tensorflow/tfjs-core'], `${p.name} has tfjs-core as a peer`);
      for (const [name, range] of Object.entries(p.manifest.peerDependencies ?? {}).filter(([name]) => name.startsWith('@tensorflow/'))) {
        assert.equal(range, `^${HOST_TFJS}`, `${p.name}: peer ${name} accepts ${HOST_TFJS} and every later 4.x`);
      }
    }
    const native = packed.find((p) => p.name === '@strata/native-engine');
    assert.ok(native?.manifest.peerDependencies?.['node-gyp'], '@strata/native-engine names node-gyp as a peer');
    assert.equal(native?.manifest.peerDependenciesMeta?.['node-gyp']?.optional, true, 'node-gyp is an optional peer');
  });

  it('lists in sideEffects exactly the modules whose import does more than define exports', () => {
    for (const p of packed) {
      const js = p.files.filter((f) => f.startsWith('dist/') && /\.m?js$/.test(f)).map((f) => `./${f}`);
      const found = sideEffectModules(p.unpackedDir, js);
      const declared = p.manifest.sideEffects;
      assert.ok(declared === false || Array.isArray(declared), `${p.name}: sideEffects is false or a list of paths, not ${JSON.stringify(declared)}`);
      const listed = declared === false ? [] : [...(declared as string[])].sort();
      const why = found.map((m) => `  ${m.path}: ${m.reasons.slice(0, 3).join('; ')}${m.reasons.length > 3 ? `; and ${m.reasons.length - 3} more` : ''}`).join('\n');
      assert.deepEqual(listed, found.map((m) => m.path), `${p.name}: package.json "sideEffects" must list exactly these modules (false when none):\n${why || '  (none)'}`);
    }
  });

  it('ships no source map whose sources are missing from the tarball', () => {
    for (const p of packed) {
      assert.ok(p.files.some((f) => f.endsWith('.js.map')), `${p.name} ships source maps`);
      assert.deepEqual(unreachableSources(p.unpackedDir, p.files), [], p.name);
    }
  });

  it('installs into a new app from the tarballs alone, without node-gyp and with one copy of each tfjs package', async () => {
    createApp(appDir, 'strata-new-app');
    const typescript = readManifest(join(root, 'node_modules', 'typescript')).version;
    const nodeTypes = readManifest(join(root, 'node_modules', '@types', 'node')).version;
    const install = await npmInstall(appDir, [...packed.map((p) => p.tarball), `typescript@${typescript}`, `@types/node@${nodeTypes}`]);
    assert.equal(install.code, 0, install.output);
    assert.deepEqual(installedCopies(appDir, 'node-gyp'), [], 'node-gyp is not installed with the packages');
    for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-layers', 'inversify', 'reflect-metadata']) {
      assert.equal(installedCopies(appDir, name).length, 1, `${name}: ${JSON.stringify(installedCopies(appDir, name))}`);
    }
  });

  it('lets CommonJS code require() every entry point (require(esm))', async () => {
    const entries = packed.flatMap((p) => Object.keys((p.manifest as { exports?: Record<string, unknown> }).exports ?? { '.': '' }).filter((k) => k !== './package.json').map((k) => (k === '.' ? p.name : `${p.name}/${k.slice(2)}`)));
    const script = `for (const name of ${JSON.stringify(entries)}) if (typeof require(name) !== 'object') throw new Error(name);`;
    const result = await runCommand(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: appDir });
    assert.equal(result.code, 0, result.output);
  });

  it("type-checks the README's examples strictly, with skipLibCheck false (tfjs-layers' known declaration errors aside)", async () => {
    programs = readmePrograms();
    for (const program of programs) writeFileSync(join(appDir, 'src', `${program.name}.ts`), program.code);
    const { diagnostics, output } = await compileApp(appDir);
    assert.deepEqual(diagnostics.filter((d) => !tolerated(d)).map((d) => d.text), [], output);
    compiled = programs.every((program) => existsSync(join(appDir, 'dist', `${program.name}.js`)));
    assert.ok(compiled, `tsc wrote ${readdirSync(join(appDir, 'dist')).join(', ')}`);
  });

  it("runs the README's examples in the app, on cpu and on wasm, with no kernel registered twice", async () => {
    assert.ok(compiled, 'the examples compiled (see above)');
    for (const program of programs) {
      const result = await runProgram(appDir, `${program.name}.js`);
      assert.equal(result.code, 0, `${program.name}:\n${result.output}`);
      assert.deepEqual(alreadyRegistered(result.output), [], program.name);
      if (program.trains) assert.ok(reportsLoss(result.stdout), `${program.name} trains and prints a loss:\n${result.output}`);
    }
  });

  it(`installs beside a host's own @tensorflow/tfjs@${HOST_TFJS} without --legacy-peer-deps, keeps one copy of each tfjs package, and trains with no kernel registered twice`, async () => {
    const [host, install] = await hostInstalls;
    assert.equal(host?.code, 0, `npm install @tensorflow/tfjs@${HOST_TFJS}:\n${host?.output}`);
    assert.equal(install?.code, 0, `npm install of the tarballs beside it:\n${install?.output}`);
    assert.ok(compiled, 'the examples compiled (see above)');
    assert.equal(appDependencies(hostDir)['@tensorflow/tfjs'], `^${HOST_TFJS}`);
    for (const name of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-layers']) {
      assert.deepEqual(installedCopies(hostDir, name).map((c) => c.version), [HOST_TFJS], `${name}: ${JSON.stringify(installedCopies(hostDir, name))}`);
    }
    // The host loads its own tfjs first, then runs the README's program.
    mkdirSync(join(hostDir, 'dist'), { recursive: true });
    for (const program of programs.filter((p) => p.trains)) {
      copyFileSync(join(appDir, 'dist', `${program.name}.js`), join(hostDir, 'dist', `${program.name}.js`));
      writeFileSync(join(hostDir, 'dist', `host-${program.name}.js`), `import '@tensorflow/tfjs';\nawait import('./${program.name}.js');\n`);
      const result = await runProgram(hostDir, `host-${program.name}.js`);
      assert.equal(result.code, 0, `${program.name}:\n${result.output}`);
      assert.deepEqual(alreadyRegistered(result.output), [], program.name);
      assert.ok(reportsLoss(result.stdout), `${program.name} trains on tfjs ${HOST_TFJS} and prints a loss:\n${result.output}`);
    }
  });

  it('refuses, at install, a host on inversify 7, naming the inversify range Strata supports', async () => {
    const range = readManifest(join(root, 'packages', 'core')).peerDependencies?.['inversify'];
    assert.ok(range, '@strata/core declares inversify as a peer dependency');
    const kept = installedCopies(appDir, 'inversify');
    const result = await npmInstall(appDir, ['inversify@7']);
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /npm error code ERESOLVE/);
    assert.match(result.output, /npm error Found: inversify@7\.\d+\.\d+/);
    const escaped = range.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(result.output, new RegExp(`npm error Could not resolve dependency:\\nnpm error peer inversify@"${escaped}" from @strata/[a-z-]+@\\d+\\.\\d+\\.\\d+`));
    assert.deepEqual(installedCopies(appDir, 'inversify'), kept, 'the app keeps its inversify');
  });
});
