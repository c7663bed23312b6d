import { strict as assert } from 'node:assert';
import { chmodSync } from 'node:fs';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { locateTensorflow, pythonTensorflowDir } from './tensorflow-locator.js';
import { tempDir, venvPython, venvTensorflow, writeTree } from './testing/native-fixtures.js';

const venv = venvTensorflow();
const layout = { 'lib/libtensorflow.so.2': '', 'lib/libtensorflow_framework.so.2': '', 'include/tensorflow/c/c_api.h': '' };

describe('locateTensorflow', () => {
  it('takes an explicit folder before LIBTENSORFLOW_DIR', () => {
    const explicit = writeTree(tempDir('explicit'), layout);
    const fromEnv = writeTree(tempDir('env'), layout);
    const found = locateTensorflow({ libtensorflow: explicit, env: { LIBTENSORFLOW_DIR: fromEnv } });
    assert.equal(found.dir, explicit);
    assert.equal(found.source, 'path');
  });

  it('takes LIBTENSORFLOW_DIR before any Python', () => {
    const fromEnv = writeTree(tempDir('env'), layout);
    const found = locateTensorflow({ python: '/nonexistent/python', env: { LIBTENSORFLOW_DIR: fromEnv } });
    assert.equal(found.dir, fromEnv);
    assert.equal(found.source, 'LIBTENSORFLOW_DIR');
  });

  it("finds the wheel in a given Python's environment without importing tensorflow", { skip: 'skip' in venv ? venv.skip : false }, () => {
    const found = locateTensorflow({ python: venvPython, env: {} });
    assert.equal(found.dir, (venv as { dir: string }).dir);
    assert.equal(found.source, `python:${venvPython}`);
  });

  it('says what it tried and how to install TensorFlow when nothing is found', () => {
    assert.throws(() => locateTensorflow({ python: '/nonexistent/python', env: {} }), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.equal(e.kind, 'strategy-unavailable');
      assert.match(e.message, /\/nonexistent\/python: not runnable/);
      assert.match(e.message, /pip install tensorflow-cpu==2\.21\.0/);
      assert.match(e.message, /LIBTENSORFLOW_DIR/);
      return true;
    });
  });

  it('tells a Python without tensorflow from one that fails', () => {
    // Stand-in interpreters: what matters is how their answers are read.
    const dir = tempDir('python');
    const noTf = writeTree(dir, { 'no-tf': "#!/bin/sh\necho '[]'\n", 'broken': '#!/bin/sh\necho boom >&2; exit 3\n' });
    chmodSync(`${noTf}/no-tf`, 0o755);
    chmodSync(`${noTf}/broken`, 0o755);
    assert.deepEqual(pythonTensorflowDir(`${dir}/no-tf`), { why: 'has no tensorflow package' });
    assert.deepEqual(pythonTensorflowDir(`${dir}/broken`), { why: 'failed (boom)' });
  });
});
