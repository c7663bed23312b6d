import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { StrataError } from '@strata/core';
import { loadNativeEngine, loadedNativeEngine, nativeEngineStatus } from './native-engine.js';
import { nativeHome } from './native-home.js';
import { MANIFEST_FORMAT, writeManifest, type NativeManifest } from './native-manifest.js';
import { tempDir, writeTree } from './testing/native-fixtures.js';

const built = nativeEngineStatus('cpu');
const notBuilt = built.state === 'ready' ? false : `no native engine: ${built.state === 'ready' ? '' : built.reason}`;

function manifestFor(ccLibrary: string): NativeManifest {
  return {
    format: MANIFEST_FORMAT,
    variant: 'cpu',
    tfjsNode: '4.22.0',
    tensorflow: { version: '2.21.0', dir: '/x', source: 'path', ccLibrary, frameworkLibrary: ccLibrary, fingerprint: '0:0', cudaBuild: false },
    binding: 'package/lib/napi-v8/tfjs_binding.node',
    packageDir: 'package',
    node: { version: process.version, napi: '8' },
    builtAt: new Date(0).toISOString(),
    buildSeconds: 0,
  };
}

describe('nativeEngineStatus', () => {
  it('says absent, with the build command, where nothing is built', () => {
    const status = nativeEngineStatus('cpu', tempDir('home'));
    assert.equal(status.state, 'absent');
    assert.ok(status.state !== 'ready' && /npx strata-native build/.test(status.remedy));
  });

  it('says broken when the TensorFlow libraries it was linked against are gone', () => {
    const home = tempDir('home');
    const dir = join(home, 'cpu');
    writeTree(dir, { 'package/lib/napi-v8/tfjs_binding.node': '' });
    writeManifest(dir, manifestFor('/gone/libtensorflow_cc.so.2'));
    const status = nativeEngineStatus('cpu', home);
    assert.equal(status.state, 'broken');
    assert.ok(status.state !== 'ready' && status.reason.includes('/gone/libtensorflow_cc.so.2'));
    assert.ok(status.state !== 'ready' && /--force/.test(status.remedy));
  });

  it('says broken when the binding is missing', () => {
    const home = tempDir('home');
    writeManifest(writeTree(join(home, 'cpu'), { 'x': '' }), manifestFor(process.execPath));
    const status = nativeEngineStatus('cpu', home);
    assert.equal(status.state, 'broken');
    assert.ok(status.state !== 'ready' && /binding is missing/.test(status.reason));
  });
});

describe('loadNativeEngine', () => {
  it('throws the reason and the fix when no engine is built', async () => {
    await assert.rejects(loadNativeEngine('cpu', tempDir('home')), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.equal(e.kind, 'strategy-unavailable');
      assert.match(e.message, /no cpu native engine is built.*Fix: build it: npx strata-native build/);
      return true;
    });
  });

  it("registers 'tensorflow' on Strata's tfjs-core, computes with TensorFlow, and loads once", { skip: notBuilt }, async () => {
    const engine = await loadNativeEngine('cpu');
    assert.equal(await loadNativeEngine('cpu'), engine);
    assert.equal(loadedNativeEngine(), engine);
    assert.match(engine.description, /^TensorFlow 2\.\d+\.\d+ \(tfjs-node 4\.22\.0 binding, cpu\)$/);
    // Loading must not take over tfjs's default backend.
    assert.ok(tf.engine().registryFactory.tensorflow !== undefined);
    assert.ok(await tf.setBackend('tensorflow'));
    const before = tf.memory().numTensors;
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const product = tf.matMul(a, a);
    assert.deepEqual(Array.from(await product.data()), [7, 10, 15, 22]);
    tf.dispose([a, product]);
    assert.equal(tf.memory().numTensors, before);
    // The other engine cannot join it in this process.
    await assert.rejects(loadNativeEngine('cpu', tempDir('other')), /already loaded in this process/);
    assert.equal(nativeHome(), join(engine.dir, '..'));
  });
});
