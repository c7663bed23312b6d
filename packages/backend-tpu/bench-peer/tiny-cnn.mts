// Tiny CNN step time: TpuStrategy (through the real XLA server, XLA:CPU) against the same model
// in jax.jit (tiny_cnn_jax.py), on the same machine, alternating runs so load hits both alike.
//   node --import tsx packages/backend-tpu/bench-peer/tiny-cnn.mts [--steps 20] [--rounds 2]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { TpuStrategy } from '../src/index.js';
import { PACKAGE_DIR, PYTHON } from '../src/testing/jax-runner.js';
import { startServer } from '../src/testing/server-process.js';
import { tinyBatchValues, tinyCnn } from '../src/testing/tiny-cnn.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const steps = arg('steps', 20);
const rounds = arg('rounds', 2);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function strata(address: string): Promise<{ first_step_ms: number; step_ms: number; compile_ms: number; compilations: number }> {
  const strategy = new TpuStrategy({ address });
  await strategy.setup();
  try {
    const model = strategy.scope(() => tinyCnn());
    // Batches are made on the host beforehand, as the jax peer's numpy batch is.
    const host = [0, 1, 2, 3].map((k) => tinyBatchValues(32, 64, 100 + k));
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      // As the Trainer does: the batch goes through distributeBatch (which starts its upload).
      const { x, y } = strategy.distributeBatch({
        x: tf.tensor4d(host[i % 4].x, [32, 64, 64, 3]),
        y: tf.tensor2d(host[i % 4].y, [32, 1]),
      });
      const loss = await strategy.runStep(() => model.step(x, y));
      await strategy.read(loss); // the logged scalar comes back
      times.push(performance.now() - t0);
      tf.dispose([x, y, loss]);
    }
    model.dispose();
    const stats = strategy.stats();
    return { first_step_ms: times[0], step_ms: median(times.slice(2)), compile_ms: stats.compileMs, compilations: stats.compilations };
  } finally {
    await strategy.teardown();
  }
}

function jax(): { first_step_ms: number; step_ms: number } {
  const out = execFileSync(PYTHON, [join(PACKAGE_DIR, 'bench-peer', 'tiny_cnn_jax.py'), '--steps', String(steps)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const server = await startServer();
try {
  for (let r = 0; r < rounds; r++) {
    const s = await strata(server.address);
    const j = jax();
    const f = (n: number) => n.toFixed(1);
    console.log(
      `round ${r + 1}: strata ${f(s.step_ms)} ms/step (first step ${f(s.first_step_ms)} ms, compile ${f(s.compile_ms)} ms, ${s.compilations} compilation(s)); ` +
        `jax.jit ${f(j.step_ms)} ms/step (first step ${f(j.first_step_ms)} ms); ratio ${(s.step_ms / j.step_ms).toFixed(2)}`,
    );
  }
} finally {
  await server.stop();
}
