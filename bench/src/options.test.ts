import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { allocatorEnvironment, gpuMemoryEnvironment, threadEnvironment } from './worker-environment.js';
import { batchSizeOf } from './models/registry.js';
import { DEFAULT_STRATEGIES, DEFAULTS, parseOptions, USAGE } from './options.js';

describe('parseOptions', () => {
  it('has a default for every flag', () => {
    const o = parseOptions([]);
    assert.deepEqual(o.strategies, [...DEFAULT_STRATEGIES]);
    assert.deepEqual(o.peers, ['pytorch', 'lightning', 'jax']);
    assert.deepEqual(o.models, ['tiny-cnn', 'efficientnet-b0', 'mlp']);
    // No --batch-size: each model trains with its own default batch.
    assert.equal(o.batchSize, undefined);
    assert.equal(o.steps, 30);
    assert.equal(o.suite, 'benchmark');
  });

  it('reads the flags of the issue, with = or a separate value', () => {
    const o = parseOptions(['--strategies', 'cpu,wasm,webgpu,tpu', '--models=tiny-cnn', '--batch-size', '16', '--image-size', '128', '--steps', '10', '--peers', 'none']);
    assert.deepEqual(o.strategies, ['cpu', 'wasm', 'webgpu', 'tpu']);
    assert.deepEqual(o.models, ['tiny-cnn']);
    assert.deepEqual(o.peers, []);
    assert.equal(o.batchSize, 16);
    assert.equal(o.imageSize, 128);
    assert.equal(o.steps, 10);
  });

  it('rejects unknown models, peers, flags and CPU engines, listing what is valid', () => {
    const rejects = (argv: string[], pattern: RegExp) => assert.throws(() => parseOptions(argv), (e: unknown) => e instanceof StrataError && pattern.test(e.message));
    rejects(['--models', 'resnet'], /"tiny-cnn", "efficientnet-b0", "mlp"/);
    rejects(['--peers', 'tensorflow'], /"pytorch", "lightning", "jax"/);
    rejects(['--nosuch'], /Unknown flag "--nosuch".*--strategies/);
    rejects(['--strategies', 'wasm:js'], /only the cpu and cuda strategies take an engine/);
    assert.deepEqual(parseOptions(['--strategies', 'cuda:xla,cuda:native']).strategies, ['cuda:xla', 'cuda:native']);
    rejects(['--steps', '0'], /--steps: received "0".*at least 1/);
  });

  it("gives each model its own batch unless --batch-size sets one for all: 64 vectors for the MLP, 32 images for the CNNs", () => {
    const mlpOnly = parseOptions(['--models', 'mlp']);
    assert.deepEqual(mlpOnly.models, ['mlp']);
    assert.equal(batchSizeOf('mlp', mlpOnly.batchSize), 64);
    const both = parseOptions(['--models', 'tiny-cnn,mlp']);
    assert.deepEqual(['tiny-cnn', 'mlp'].map((m) => batchSizeOf(m, both.batchSize)), [32, 64]);
    const given = parseOptions(['--models', 'tiny-cnn,mlp', '--batch-size', '16']);
    assert.deepEqual(['tiny-cnn', 'mlp'].map((m) => batchSizeOf(m, given.batchSize)), [16, 16]);
    assert.throws(() => parseOptions(['--batch-size', '0']), (e: unknown) => e instanceof StrataError && /--batch-size: received "0".*at least 1/.test(e.message));
    assert.throws(() => batchSizeOf('resnet', undefined), (e: unknown) => e instanceof StrataError && /Unknown model "resnet"/.test(e.message));
    // The help names each model's default batch and says the MLP takes vectors, not images.
    assert.match(USAGE, /default: each model's own: tiny-cnn 32, efficientnet-b0 32, mlp 64/);
    assert.match(USAGE, /the mlp takes 784-feature vectors/);
  });

  it('gives every row a minimum measured time, at most its budget', () => {
    assert.equal(parseOptions([]).minSecondsPerTarget, DEFAULTS.minSecondsPerTarget);
    assert.equal(parseOptions(['--min-seconds', '0']).minSecondsPerTarget, 0);
    // A budget under the default minimum lowers the minimum with it; an explicit one over it is an error.
    assert.equal(parseOptions(['--max-seconds', '4']).minSecondsPerTarget, 4);
    assert.throws(() => parseOptions(['--max-seconds', '4', '--min-seconds', '5']), /--min-seconds: received "5".*at most --max-seconds \(4\)/);
    assert.throws(() => parseOptions(['--min-seconds', '-1']), /--min-seconds: received "-1".*0 or more/);
  });

  it('limits every framework to --threads threads through the environment', () => {
    assert.equal(parseOptions(['--threads', '1']).threads, 1);
    assert.equal(parseOptions([]).threads, undefined);
    const env = threadEnvironment(1, { XLA_FLAGS: '--xla_dump_to=/tmp/x' });
    assert.equal(env.OMP_NUM_THREADS, '1');
    assert.equal(env.TF_NUM_INTRAOP_THREADS, '1');
    assert.equal(env.XLA_FLAGS, '--xla_dump_to=/tmp/x --xla_cpu_multi_thread_eigen=false');
    assert.equal(threadEnvironment(2, {}).XLA_FLAGS, undefined);
  });

  it('takes the strategies\' batch norm: Strata\'s batchNormTraining by default, tfjs-layers\' composition on request', () => {
    assert.equal(parseOptions([]).batchNorm, 'strata');
    assert.equal(parseOptions(['--batch-norm', 'tfjs']).batchNorm, 'tfjs');
    assert.throws(() => parseOptions(['--batch-norm', 'fused']), (e: unknown) => e instanceof StrataError && /--batch-norm: received "fused".*'strata'.*'tfjs'/.test(e.message));
  });

  it('runs compiled steps where the strategy has them unless --compile-steps off', () => {
    assert.equal(parseOptions([]).compileSteps, 'auto');
    assert.equal(parseOptions(['--compile-steps', 'off']).compileSteps, 'off');
    assert.throws(() => parseOptions(['--compile-steps', 'on']), (e: unknown) => e instanceof StrataError && /--compile-steps: received "on".*'auto'.*'off'/.test(e.message));
  });

  it('pins glibc malloc\'s thresholds in every worker unless --malloc default', () => {
    assert.equal(parseOptions([]).malloc, 'fixed');
    assert.equal(parseOptions(['--malloc', 'default']).malloc, 'default');
    assert.throws(() => parseOptions(['--malloc', 'jemalloc']), (e: unknown) => e instanceof StrataError && /--malloc: received "jemalloc".*'fixed' or 'default'/.test(e.message));
    const env = allocatorEnvironment('fixed', {});
    assert.equal(env.MALLOC_MMAP_THRESHOLD_, String(32 * 1024 * 1024));
    assert.equal(env.MALLOC_TRIM_THRESHOLD_, String(4 * 1024 ** 3));
    assert.deepEqual(allocatorEnvironment('default', {}), {});
    // A threshold the user set is theirs.
    assert.equal(allocatorEnvironment('fixed', { MALLOC_TRIM_THRESHOLD_: '0' }).MALLOC_TRIM_THRESHOLD_, undefined);
  });

  it('has every jax process take GPU memory as it needs it, unless the user says otherwise', () => {
    assert.deepEqual(gpuMemoryEnvironment({}), { XLA_PYTHON_CLIENT_PREALLOCATE: 'false' });
    assert.deepEqual(gpuMemoryEnvironment({ XLA_PYTHON_CLIENT_PREALLOCATE: 'true' }), {});
  });

  it('names the README block to replace, the main one by default', () => {
    assert.equal(parseOptions([]).readmeBlock, 'bench');
    assert.equal(parseOptions(['--readme', 'README.md', '--readme-block', 'gpu']).readmeBlock, 'gpu');
    assert.throws(() => parseOptions(['--readme-block', 'GPU table']), (e: unknown) => e instanceof StrataError && /--readme-block: received "GPU table".*such as 'gpu'/.test(e.message));
  });

  it('takes the reports to compare as arguments', () => {
    assert.deepEqual(parseOptions(['--compare', 'a.json', 'b.json']).compare, ['a.json', 'b.json']);
  });

  it('takes one or more reports to render, and no stray arguments otherwise', () => {
    assert.deepEqual(parseOptions(['--render', 'a.json']).render, ['a.json']);
    assert.deepEqual(parseOptions(['--render', 'a.json', 'b.json', '--publish']).render, ['a.json', 'b.json']);
    assert.throws(() => parseOptions(['--steps', '3', 'b.json']), (e: unknown) => e instanceof StrataError && /Unexpected argument "b\.json"/.test(e.message));
  });
});
