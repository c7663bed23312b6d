import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { DEFAULTS, MESH_DEFAULTS, parseOptions, USAGE } from '../options.js';
import { layoutName } from './mesh-layout.js';

const rejects = (argv: string[], pattern: RegExp) =>
  assert.throws(() => parseOptions(argv), (e: unknown) => e instanceof StrataError && e.kind !== undefined && pattern.test(`${e.message} ${e.fix ?? ''}`));

describe('parseOptions: --suite mesh', () => {
  it("has its own defaults: the tiny CNN and the MLP, shorter rows, the README's mesh block, one device against two on one server and two servers", () => {
    const o = parseOptions(['--suite', 'mesh']);
    assert.equal(o.suite, 'mesh');
    assert.deepEqual(o.models, ['tiny-cnn', 'mlp']);
    assert.deepEqual(o.layouts.map(layoutName), ['1x1', '1x2', '2x1']);
    assert.equal(o.steps, MESH_DEFAULTS.steps);
    assert.equal(o.processes, MESH_DEFAULTS.processes);
    assert.equal(o.maxSecondsPerTarget, MESH_DEFAULTS.maxSecondsPerTarget);
    assert.equal(o.minSecondsPerTarget, MESH_DEFAULTS.minSecondsPerTarget);
    assert.equal(o.readmeBlock, 'mesh');
    // Steps are compiled unless asked otherwise, as in the main benchmark.
    assert.equal(o.compileSteps, 'auto');
  });

  it('leaves the other suites their own defaults', () => {
    const o = parseOptions([]);
    assert.equal(o.steps, DEFAULTS.steps);
    assert.equal(o.processes, DEFAULTS.processes);
    assert.equal(o.readmeBlock, 'bench');
    assert.deepEqual(o.models, ['tiny-cnn', 'efficientnet-b0', 'mlp']);
  });

  it('takes --layouts and the measurement flags over its defaults', () => {
    const o = parseOptions(['--suite=mesh', '--layouts', '1x2,2x1,2x2', '--models', 'mlp', '--steps', '5', '--processes', '1', '--max-seconds', '4', '--readme-block', 'mesh-big']);
    assert.deepEqual(o.layouts.map(layoutName), ['1x2', '2x1', '2x2']);
    assert.deepEqual(o.models, ['mlp']);
    assert.equal(o.steps, 5);
    assert.equal(o.processes, 1);
    assert.equal(o.maxSecondsPerTarget, 4);
    // --min-seconds follows a smaller --max-seconds down, as in the main benchmark.
    assert.equal(o.minSecondsPerTarget, 4);
    assert.equal(o.readmeBlock, 'mesh-big');
  });

  it('refuses what it would ignore, and --layouts without it, saying what to do', () => {
    rejects(['--suite', 'mesh', '--strategies', 'cpu'], /--suite mesh does not take --strategies.*leave it out/);
    rejects(['--suite', 'mesh', '--peers', 'jax'], /does not take --peers/);
    rejects(['--suite', 'mesh', '--tpu-address', 'grpc://127.0.0.1:8470'], /does not take --tpu-address/);
    rejects(['--suite', 'mesh', '--publish'], /does not take --publish/);
    rejects(['--suite', 'mesh', '--models', 'none'], /the mesh suite needs one or more/);
    rejects(['--layouts', '2x1'], /--layouts is for --suite mesh.*add --suite mesh/);
    rejects(['--suite', 'mesh', '--layouts', '2'], /Invalid mesh layout "2".*PxL/);
    rejects(['--suite', 'meshes'], /--suite.*'mesh'/);
  });

  it('is in the help', () => {
    assert.match(USAGE, /--suite NAME[\s\S]*mesh \(the tpu strategy/);
    assert.match(USAGE, /--layouts LIST .*PxL[\s\S]*default 1x1,1x2,2x1/);
  });
});
