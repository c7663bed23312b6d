import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SystemCudaHost } from './system-cuda-host.js';

const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('SystemCudaHost', () => {
  it('finds libraries by prefix in LD_LIBRARY_PATH, extra folders and the given system folders', () => {
    const root = tempDir('strata-cuda-libs-');
    for (const [dir, name] of [['ld', 'libcudart.so.12'], ['wheel', 'libcudnn.so.9'], ['system', 'libcuda.so.1'], ['system', 'libcudart.so.11.0']]) {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, name), '');
    }
    const host = new SystemCudaHost({ env: { LD_LIBRARY_PATH: join(root, 'ld') }, libraryDirs: [join(root, 'system'), join(root, 'nosuch')] });
    assert.deepEqual(host.findLibraries('libcudart.so'), [join(root, 'ld', 'libcudart.so.12'), join(root, 'system', 'libcudart.so.11.0')]);
    assert.deepEqual(host.findLibraries('libcudnn.so'), []);
    assert.deepEqual(host.findLibraries('libcudnn.so', [join(root, 'wheel')]), [join(root, 'wheel', 'libcudnn.so.9')]);
  });

  it("reports no CUDA engine in an empty native folder", () => {
    const host = new SystemCudaHost({ nativeDir: tempDir('strata-native-') });
    assert.equal(host.engine().state, 'absent');
  });
});
