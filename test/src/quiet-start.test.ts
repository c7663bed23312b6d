// What a user sees first. `npm run train` runs the melanoma example with --strategy auto after
// building, and 'auto' probes every strategy: loading the native TensorFlow engine, Dawn for
// WebGPU, tfjs's backends. None of the libraries underneath may print before Strata's own
// lines: not Dawn's native warnings, not TensorFlow's C++ logging, not tfjs's banners, not
// turbo's telemetry notice.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'strata-quiet-start-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Lines that come from a library underneath Strata, not from Strata or the example. */
const NOISE: readonly { readonly source: string; readonly pattern: RegExp }[] = [
  { source: 'Dawn', pattern: /Couldn't load Vulkan|artificially reduced|BackendVk\.cpp|third_party\/dawn/ },
  { source: "TensorFlow's C++ logging", pattern: /^[IWEF]\d{4} \d\d:\d\d:\d\d|All log messages before absl::InitializeLog|oneDNN custom operations|cpu_feature_guard|This TensorFlow binary is optimized/ },
  { source: 'a tfjs banner', pattern: /running TensorFlow\.js in Node\.js|install our node backend|Start Chrome browser with flag|timestamp-query extension/ },
  { source: 'turbo', pattern: /Turborepo|telemetry/i },
];

/** 'source: line' for each line of `text` that a library underneath printed. */
function noiseIn(text: string): string[] {
  return text
    .split('\n')
    .flatMap((line) => NOISE.filter(({ pattern }) => pattern.test(line)).map(({ source }) => `${source}: ${line}`));
}

/** The environment of a user who has set nothing: no debug output, no log level, no strategy. */
function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['STRATA_DEBUG', 'TF_CPP_MIN_LOG_LEVEL', 'STRATA_STRATEGY', 'TURBO_TELEMETRY_DISABLED', 'DO_NOT_TRACK']) delete env[name];
  return { ...env, ...extra };
}

/** Runs a command, keeping stdout and stderr interleaved in the order they arrived. */
function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((output += chunk), (stdout += chunk)));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => ((output += chunk), (stderr += chunk)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} ran over ${timeoutMs / 1000} s; its output so far:\n${output}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout, stderr });
    });
  });
}

describe('a quiet start', () => {
  it('the main job with --strategy auto prints nothing from Dawn, TensorFlow, tfjs or turbo before its first epoch', async () => {
    const main = join(root, 'examples', 'melanoma', 'dist', 'main.js');
    assert.ok(existsSync(main), `${main} is not built`);
    const args = [main, '--strategy', 'auto', '--max-epochs', '1', '--synthetic-count', '64', '--image-size', '32', '--num-workers', '0', '--out', join(scratch, 'melanoma')];
    const { code, output } = await run(process.execPath, args, plainEnv(), 600_000);
    assert.equal(code, 0, output);
    const firstEpoch = output.search(/^Epoch 0 \|/m);
    assert.ok(firstEpoch > 0, `no epoch line in:\n${output}`);
    const start = output.slice(0, firstEpoch);
    assert.match(start, /^Strategy \w+ on /m, 'the run names its strategy before training');
    assert.deepEqual(noiseIn(start), [], start);
  });

  it("probing every registered strategy ('auto' included) prints nothing at all", async () => {
    const results = join(scratch, 'probes.json');
    const script = [
      "import { writeFileSync } from 'node:fs';",
      "import '@strata/strategies';",
      "import { createStrata, registeredStrategies } from '@strata/core';",
      "const { strategy, container } = await createStrata({ strategy: 'auto' });",
      'const probes = [];',
      'for (const s of registeredStrategies(container)) probes.push({ name: s.name, available: (await s.isAvailable()).available });',
      'writeFileSync(process.argv[1], JSON.stringify({ picked: strategy.name, probes }));',
    ].join('\n');
    const { code, stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script, results], plainEnv(), 300_000);
    assert.equal(code, 0, stderr);
    const report = JSON.parse(readFileSync(results, 'utf8')) as { picked: string; probes: { name: string; available: boolean }[] };
    assert.deepEqual(report.probes.map((p) => p.name).sort(), ['cpu', 'cuda', 'tpu', 'wasm', 'webgpu']);
    assert.ok(report.probes.some((p) => p.available && p.name === report.picked), JSON.stringify(report));
    assert.equal(stdout, '', 'stdout');
    assert.equal(stderr, '', 'stderr');
  });

  it("turbo's telemetry notice: every npm script that runs turbo turns it off", async () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const turboCommands = Object.entries(scripts).flatMap(([name, line]) =>
      line.split('&&').map((part) => part.trim()).filter((part) => /(^|\s)turbo\s/.test(part)).map((part) => ({ name, part })),
    );
    assert.ok(turboCommands.some(({ name }) => name === 'train'), 'the train script runs turbo');
    for (const { name, part } of turboCommands) assert.match(part, /(^|\s)TURBO_TELEMETRY_DISABLED=1\s/, `npm run ${name}: ${part}`);
    // A first run of turbo (a HOME it has never seen) prints the notice unless the variable is set.
    const train = turboCommands.find(({ name }) => name === 'train')!.part;
    const turbo = (command: string) => {
      const home = mkdtempSync(join(scratch, 'home-'));
      const env = plainEnv({ HOME: home, XDG_CONFIG_HOME: join(home, '.config'), PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}` });
      const result = spawnSync('sh', ['-c', `${command} --dry=json`], { cwd: root, env, encoding: 'utf8', timeout: 120_000 });
      assert.equal(result.status, 0, result.stderr);
      return `${result.stdout}${result.stderr}`;
    };
    assert.deepEqual(noiseIn(turbo(train)), []);
    assert.ok(noiseIn(turbo(train.replace(/TURBO_TELEMETRY_DISABLED=1\s+/, ''))).length > 0, 'without the variable turbo prints its notice (so this check can see it)');
  });
});
