import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { inspectTensorflowDir } from './tensorflow-libraries.js';
import { tempDir, venvTensorflow, writeTree } from './testing/native-fixtures.js';

const venv = venvTensorflow();

describe('inspectTensorflowDir', () => {
  it('reads the tensorflow-cpu wheel of .venv: libraries, headers, version, not a CUDA build', { skip: 'skip' in venv ? venv.skip : false }, () => {
    const dir = (venv as { dir: string }).dir;
    const found = inspectTensorflowDir(dir, 'path');
    assert.equal(found.ccLibrary, join(dir, 'libtensorflow_cc.so.2'));
    assert.equal(found.frameworkLibrary, join(dir, 'libtensorflow_framework.so.2'));
    assert.equal(found.includeDir, join(dir, 'include'));
    assert.match(found.version ?? '', /^2\.\d+\.\d+/);
    assert.equal(found.distribution, 'tensorflow-cpu');
    assert.equal(found.cudaBuild, false);
  });

  it('accepts the site-packages folder above the wheel', { skip: 'skip' in venv ? venv.skip : false }, () => {
    const dir = (venv as { dir: string }).dir;
    assert.equal(inspectTensorflowDir(join(dir, '..'), 'path').dir, dir);
  });

  it("reads a CUDA wheel's build_info (cuda and cudnn versions)", () => {
    const site = tempDir('tf-cuda');
    writeTree(site, {
      'tensorflow/libtensorflow_cc.so.2': '',
      'tensorflow/libtensorflow_framework.so.2': '',
      'tensorflow/include/tensorflow/c/c_api.h': '',
      'tensorflow/python/platform/build_info.py':
        "build_info = collections.OrderedDict([('cuda_compute_capabilities', ['sm_60']), ('cuda_version', '12.5.1'), ('cudnn_version', '9'), ('is_cuda_build', True), ('is_rocm_build', False)])\n",
      'tensorflow-2.21.0.dist-info/RECORD': 'tensorflow/libtensorflow_framework.so.2,sha256=x,1\n',
    });
    const found = inspectTensorflowDir(join(site, 'tensorflow'), 'path');
    assert.equal(found.cudaBuild, true);
    assert.equal(found.cudaVersion, '12.5.1');
    assert.equal(found.cudnnVersion, '9');
    assert.equal(found.distribution, 'tensorflow');
    assert.equal(found.version, '2.21.0');
  });

  it('reads the libtensorflow archive layout (lib/, include/)', () => {
    const root = writeTree(tempDir('libtf'), {
      'lib/libtensorflow.so.2': '',
      'lib/libtensorflow_framework.so.2': '',
      'include/tensorflow/c/c_api.h': '',
    });
    const found = inspectTensorflowDir(root, 'LIBTENSORFLOW_DIR');
    assert.equal(found.ccLibrary, join(root, 'lib', 'libtensorflow.so.2'));
    assert.equal(found.source, 'LIBTENSORFLOW_DIR');
    assert.equal(found.cudaBuild, false);
  });

  it('names the folder and the fix when there are no libraries, or no headers', () => {
    const empty = tempDir('empty');
    assert.throws(() => inspectTensorflowDir(empty, 'path'), (e: unknown) => {
      assert.ok(e instanceof StrataError);
      assert.equal(e.kind, 'bad-input');
      assert.ok(e.message.includes(JSON.stringify(empty)));
      assert.match(e.message, /libtensorflow_cc\.so\.2/);
      return true;
    });
    const noHeaders = writeTree(tempDir('noheaders'), { 'libtensorflow_cc.so.2': '', 'libtensorflow_framework.so.2': '' });
    assert.throws(() => inspectTensorflowDir(noHeaders, 'path'), /no C headers.*Fix: reinstall/);
    assert.throws(() => inspectTensorflowDir(join(empty, 'nosuch'), 'path'), /does not exist/);
  });
});
