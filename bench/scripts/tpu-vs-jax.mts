// The tiny CNN's step time on TpuStrategy (through a local XLA server on XLA:CPU) against the
// same model in jax.jit (jax_step.py), on the same machine, alternating runs so load hits both
// alike. Unlike the bench's table (one fixed batch on the device), both sides here take a new
// batch from the host every step, as a training loop does: the strategy through
// distributeBatch, jax as a numpy array. The model is the bench's (buildTfjsModel of
// @strata/vision's TINY_CNN, jax from the same spec), with Adam(1e-3).
//   node --import tsx bench/scripts/tpu-vs-jax.mts [--steps 20] [--rounds 2]
// Needs the project's .venv (npm run setup) or STRATA_PYTHON, and the packages built.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { startLocalXlaServer, TpuStrategy } from '@strata/backend-tpu';
import { buildTfjsModel, TINY_CNN } from '@strata/vision/models';

const here = dirname(fileURLToPath(import.meta.url));
const python = process.env.STRATA_PYTHON ?? join(here, '..', '..', '.venv', 'bin', 'python');
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const steps = arg('steps', 20);
const rounds = arg('rounds', 2);
const [BATCH, SIZE] = [32, 64];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A host batch: images in [-1, 1) from a fixed generator, labels alternating 1 and 0. */
function hostBatch(seed: number): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(BATCH * SIZE * SIZE * 3);
  let s = seed;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    x[i] = (s / 4294967296) * 2 - 1;
  }
  return { x, y: Float32Array.from({ length: BATCH }, (_, i) => (i % 2 === 0 ? 1 : 0)) };
}

async function strata(address: string): Promise<{ firstStepMs: number; stepMs: number; compileMs: number; compilations: number }> {
  const strategy = new TpuStrategy({ address });
  await strategy.setup();
  try {
    const model = strategy.scope(() => buildTfjsModel(TINY_CNN));
    const optimizer = tf.train.adam(1e-3);
    const host = [0, 1, 2, 3].map((k) => hostBatch(100 + k));
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const { x, y } = strategy.distributeBatch({ x: tf.tensor4d(host[i % 4]!.x, [BATCH, SIZE, SIZE, 3]), y: tf.tensor2d(host[i % 4]!.y, [BATCH, 1]) });
      const loss = await strategy.runStep(() => optimizer.minimize(() => tf.losses.sigmoidCrossEntropy(y, model.apply(x)) as tf.Scalar, true, [...model.variables]) as tf.Scalar);
      await strategy.read(loss); // the logged scalar comes back
      times.push(performance.now() - t0);
      tf.dispose([x, y, loss]);
    }
    tf.dispose([...model.variables]);
    optimizer.dispose();
    const stats = strategy.stats();
    return { firstStepMs: times[0]!, stepMs: median(times.slice(2)), compileMs: stats.compileMs, compilations: stats.compilations };
  } finally {
    await strategy.teardown();
  }
}

function jax(): { first_step_ms: number; step_ms: number } {
  const out = execFileSync(python, [join(here, 'jax_step.py'), '--model', TINY_CNN.name, '--steps', String(steps), '--batch-size', String(BATCH), '--image-size', String(SIZE)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}

const server = await startLocalXlaServer({ python });
try {
  for (let r = 0; r < rounds; r++) {
    const s = await strata(server.address);
    const j = jax();
    const f = (n: number) => n.toFixed(1);
    console.log(
      `round ${r + 1}: strata ${f(s.stepMs)} ms/step (first step ${f(s.firstStepMs)} ms, compile ${f(s.compileMs)} ms, ${s.compilations} compilation(s)); ` +
        `jax.jit ${f(j.step_ms)} ms/step (first step ${f(j.first_step_ms)} ms); ratio ${(s.stepMs / j.step_ms).toFixed(2)}`,
    );
  }
} finally {
  await server.stop();
}
