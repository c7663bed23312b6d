// The seed's TPU call (tpu_cores=8, precision=16) as the example's flags, against a local XLA
// server with 8 CPU devices. Kept small: --debug and a batch limit, 64 px, batch 16, and the
// tiny CNN in place of the preset's EfficientNet-B0, whose 8-device 16-bit program takes XLA:CPU
// most of two minutes to compile (the preset's EfficientNet runs in main.test.ts on cpu).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { localXlaServerUnavailableReason, startLocalXlaServer, type LocalXlaServer } from '@strata/backend-tpu';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'strata-melanoma-tpu-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('melanoma --preset seed on the TPU strategy', { skip: localXlaServerUnavailableReason() }, () => {
  let server: LocalXlaServer;
  before(async () => {
    server = await startLocalXlaServer({ devices: 8 });
  });
  after(async () => server?.stop());

  // The server's address comes from STRATA_TPU_ADDRESS, or from --tpu-address over a variable that names no server.
  const run = (args: string[], via: 'env' | 'flag' = 'env') =>
    spawnSync(process.execPath, [main, '--preset', 'seed', '--strategy', 'tpu', ...(via === 'flag' ? ['--tpu-address', server.address] : []), ...args], {
      cwd: work,
      encoding: 'utf8',
      timeout: 540_000,
      env: { ...process.env, STRATA_TPU_ADDRESS: via === 'env' ? server.address : 'grpc://127.0.0.1:1' },
    });

  it('--tpu-cores 8 trains its first steps in precision 16 on 8 devices, validating every image (a last batch of 14 padded over 8)', { timeout: 560_000 }, () => {
    const out = join(work, 'run');
    const small = ['--model', 'tiny-cnn', '--synthetic-count', '80', '--image-size', '64', '--batch-size', '16', '--num-workers', '1'];
    const result = run(['--tpu-cores', '8', '--debug', ...small, '--limit-train-batches', '2', '--limit-val-batches', '1', '--max-epochs', '1', '--out', out], 'flag');
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^Strategy tpu on .* x8 devices, precision 16-mixed; model tiny-cnn at 64x64, batch 16 \(x2 accumulated\)/m);
    assert.match(result.stdout, /^Data: \d+ training images \(\d+ melanoma\), 14 validation images/m);
    assert.doesNotMatch(result.stdout, /left out/);
    assert.match(result.stdout, /^Sanity check: 1 validation batch before training$/m);
    const epoch = /^Epoch 0 \| AUC: [\d.]+ \| val_loss: ([\d.]+) \| train_loss: ([\d.]+)/m.exec(result.stdout);
    assert.ok(epoch, result.stdout);
    assert.ok(Number.isFinite(Number(epoch[1])) && Number.isFinite(Number(epoch[2])), epoch[0]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.strategy, 'tpu');
    assert.equal(summary.trainBatches, 2);
  });

  it('compiled steps: nothing is traced or compiled after the first epoch, last smaller batches included, and the AUCs are those of the run traced at every step', { timeout: 560_000 }, () => {
    // 96 training images in batches of 20: each epoch ends with a smaller batch, as does validation.
    const small = ['--model', 'tiny-cnn', '--synthetic-count', '120', '--image-size', '32', '--batch-size', '20', '--num-workers', '0', '--max-epochs', '3', '--tpu-cores', '1'];
    const curves = ['compiled', 'traced'].map((name) => {
      const out = join(work, name);
      const result = run([...small, ...(name === 'traced' ? ['--no-compile-steps'] : []), '--out', out]);
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
      const [header, ...rows] = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n').map((line) => line.split(','));
      const auc = header.indexOf('val_auc');
      return { programs: summary.programs as { compilations: number; traces: number; replays: number }[], aucs: rows.map((r) => r[auc]).filter((v) => v !== undefined && v !== '').map(Number) };
    });
    const [compiled, traced] = curves;
    assert.equal(compiled.programs.length, 3);
    assert.ok(compiled.programs[0].replays > 0, JSON.stringify(compiled.programs));
    for (const epoch of [1, 2]) {
      assert.equal(compiled.programs[epoch].traces, compiled.programs[0].traces, `traces after epoch 0: ${JSON.stringify(compiled.programs)}`);
      assert.equal(compiled.programs[epoch].compilations, compiled.programs[0].compilations, `compilations after epoch 0: ${JSON.stringify(compiled.programs)}`);
    }
    assert.equal(traced.programs[2].replays, 0);
    assert.equal(compiled.aucs.length, 3);
    compiled.aucs.forEach((auc, i) => assert.ok(Math.abs(auc - traced.aucs[i]) <= 1e-4, `epoch ${i}: AUC ${auc} compiled, ${traced.aucs[i]} traced`));
  });

  it('more cores than the server has fails before any data is made', () => {
    const result = run(['--tpu-cores', '16', '--synthetic-count', '80', '--out', join(work, 'too-many')]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /16/);
    assert.match(result.stderr, /8 device/);
    assert.doesNotMatch(result.stdout, /synthetic dataset/);
  });
});
