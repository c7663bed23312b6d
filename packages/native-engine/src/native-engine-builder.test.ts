import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { NativeEngineBuilder, TFJS_NODE_VERSION } from './native-engine-builder.js';
import { nativeEngineStatus } from './native-engine.js';
import { nativeHome } from './native-home.js';
import { tempDir, venvPython, venvTensorflow, writeTree } from './testing/native-fixtures.js';

const venv = venvTensorflow();
const noTensorflow = 'skip' in venv ? venv.skip : false;
// The tarball the setup step already fetched, so this test does not hit the registry again.
const cached = join(nativeHome(), 'cache', `tensorflow-tfjs-node-${TFJS_NODE_VERSION}.tgz`);

describe('NativeEngineBuilder', () => {
  it('builds the binding from source against the .venv wheel, says what it built, then keeps it', { skip: noTensorflow, timeout: 240_000 }, async () => {
    const home = tempDir('native-home');
    const lines: string[] = [];
    const builder = new NativeEngineBuilder({ python: venvPython, home, tarball: existsSync(cached) ? cached : undefined, log: (l) => lines.push(l) });
    const report = await builder.build();
    assert.equal(report.reused, false);
    assert.equal(report.dir, join(home, 'cpu'));
    const m = report.manifest;
    assert.equal(m.variant, 'cpu');
    assert.equal(m.tfjsNode, '4.22.0');
    assert.match(m.tensorflow.version, /^2\.\d+\.\d+$/);
    assert.equal(m.tensorflow.dir, (venv as { dir: string }).dir);
    assert.equal(m.tensorflow.cudaBuild, false);
    assert.ok(m.buildSeconds > 0);
    assert.ok(existsSync(join(report.dir, m.binding)));
    // The binding links the wheel's libraries through deps/lib, not a downloaded libtensorflow.
    assert.equal(readlinkSync(join(report.dir, 'package', 'deps', 'lib', 'libtensorflow.so.2')), m.tensorflow.ccLibrary);
    assert.match(readFileSync(report.logFile, 'utf8'), /node-gyp/);
    assert.ok(lines.some((l) => l.includes('the binding loads: TensorFlow')));
    assert.equal(nativeEngineStatus('cpu', home).state, 'ready');

    const again = await new NativeEngineBuilder({ python: venvPython, home }).build();
    assert.equal(again.reused, true);
    assert.equal(again.manifest.builtAt, m.builtAt);
    rmSync(home, { recursive: true, force: true });
  });

  it('a failed build says where its log is, and leaves no half-built engine', async () => {
    const libs = writeTree(tempDir('libtf'), { 'lib/libtensorflow.so.2': '', 'lib/libtensorflow_framework.so.2': '', 'include/tensorflow/c/c_api.h': '' });
    const home = tempDir('native-home');
    await assert.rejects(new NativeEngineBuilder({ libtensorflow: libs, home, tarball: join(home, 'missing.tgz') }).build(), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.match(e.message, /Building the native engine failed: tar xzf/);
      assert.ok((e.fix ?? '').includes(join(home, 'cpu.failed.log')));
      return true;
    });
    assert.ok(existsSync(join(home, 'cpu.failed.log')));
    assert.equal(nativeEngineStatus('cpu', home).state, 'absent');
    rmSync(home, { recursive: true, force: true });
  });

  it('refuses to build a CUDA engine from a CPU-only TensorFlow, and says which wheel to install', { skip: noTensorflow }, async () => {
    await assert.rejects(new NativeEngineBuilder({ python: venvPython, home: tempDir('native-home'), variant: 'cuda' }).build(), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.match(e.message, /is not a CUDA build/);
      assert.match(e.fix ?? '', /tensorflow\[and-cuda\]/);
      return true;
    });
  });
});
