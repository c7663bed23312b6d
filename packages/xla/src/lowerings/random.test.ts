// StrataRandomUniform drawn on the device: its lowering run through jax (XLA:CPU), and
// randomUniformFromSeed and dropout on an XlaStrategy against a real local XLA server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { dropout, randomUniformFromSeed, seedEverything, unseedEverything } from '@strata/core';
import { JaxRunner, jaxSkipReason, type HostTensor } from '../testing/jax-runner.js';
import { recordingBackend } from '../testing/lowering-check.js';
import { serverSkipReason, startServer, type ServerProcess } from '../testing/index.js';
import { XLA_BACKEND_NAME } from '../register-kernels.js';
import { XlaStrategy } from '../xla-strategy.js';

/** Mean and variance of a list of numbers. */
function moments(values: ArrayLike<number>): { mean: number; variance: number } {
  const v = Array.from(values);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length };
}

/** Checks draws of uniform [0, 1): range, the 2^-23 grid, mean 1/2 and variance 1/12. */
function assertUniform(values: ArrayLike<number>, what: string): void {
  const v = Array.from(values);
  assert.ok(v.every((x) => x >= 0 && x < 1), `${what}: every value in [0, 1)`);
  assert.ok(v.every((x) => Number.isInteger(x * 2 ** 23)), `${what}: values on the 2^-23 grid`);
  const { mean, variance } = moments(v);
  // With n >= 4096 draws the mean's standard error is at most 0.0045, the variance's 0.0012.
  assert.ok(Math.abs(mean - 0.5) < 0.02, `${what}: mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.006, `${what}: variance ${variance}`);
}

describe('StrataRandomUniform lowered to stablehlo.rng_bit_generator (run through jax)', { skip: jaxSkipReason() }, () => {
  let runner: JaxRunner;
  before(() => {
    runner = new JaxRunner();
  });
  after(async () => {
    runner.close();
    await tf.setBackend('cpu');
  });

  /** Records randomUniformFromSeed(shape, seed) for each seed on the xla backend, lowers it, runs it. */
  async function draw(shape: number[], seeds: number[]): Promise<{ outs: HostTensor[]; text: string }> {
    const xla = recordingBackend();
    await tf.setBackend(XLA_BACKEND_NAME);
    const tensors = tf.tidy(() => seeds.map((seed) => randomUniformFromSeed(shape, seed)));
    try {
      const records = tensors.map((t) => xla.recordOf(t.dataId)!);
      const program = xla.lowerPending(records);
      assert.ok(program, 'the draws were recorded');
      const params = program.params.map((r): HostTensor => {
        assert.equal(r.source.kind, 'host', 'the seeds are host scalars');
        return { dtype: r.dtype, shape: r.shape, values: (r.source as { values: HostTensor['values'] }).values };
      });
      const results = await runner.run(program.text, params);
      return { outs: records.map((r) => results[program.results.indexOf(r)]!), text: program.text };
    } finally {
      tf.dispose(tensors);
      await tf.setBackend('cpu');
    }
  }

  test('draws float32 uniform [0, 1) of the asked shape with Threefry, differently for different seeds', async () => {
    const { outs, text } = await draw([64, 128], [1, 2, -5]);
    assert.match(text, /"stablehlo.rng_bit_generator"\([^)]*\) <\{rng_algorithm = #stablehlo<rng_algorithm THREE_FRY>\}> : \(tensor<2xui64>\) -> \(tensor<2xui64>, tensor<64x128xui32>\)/);
    outs.forEach((o, i) => {
      assert.equal(o.dtype, 'float32');
      assert.deepEqual([...o.shape], [64, 128]);
      assertUniform(o.values as Float32Array, `seed ${i}`);
    });
    const [a, b, c] = outs.map((o) => Array.from(o.values as Float32Array));
    const same = (p: number[], q: number[]) => p.filter((x, i) => x === q[i]).length;
    // Independent draws on a 2^-23 grid agree in almost no element.
    assert.ok(same(a!, b!) < 10 && same(a!, c!) < 10 && same(b!, c!) < 10, 'each seed draws its own numbers');
    // Neighbouring elements are not correlated.
    const lag = a!.slice(1).reduce((s, x, i) => s + (x - 0.5) * (a![i]! - 0.5), 0) / (a!.length - 1);
    assert.ok(Math.abs(lag * 12) < 0.05, `lag-1 correlation ${lag * 12}`);
  });

  test('gives the same numbers for the same seed, and a scalar or an empty shape', async () => {
    const { outs } = await draw([4096], [7, 7]);
    assert.deepEqual(Array.from(outs[0]!.values as Float32Array), Array.from(outs[1]!.values as Float32Array));
    const { outs: small } = await draw([], [3]);
    assert.deepEqual([...small[0]!.shape], []);
    const u = (small[0]!.values as Float32Array)[0]!;
    assert.ok(u >= 0 && u < 1, `scalar ${u}`);
    const { outs: empty } = await draw([2, 0], [3]);
    assert.deepEqual([...empty[0]!.shape], [2, 0]);
  });
});

describe('randomUniformFromSeed and dropout on an XlaStrategy (a local XLA server)', { skip: serverSkipReason() }, () => {
  let server: ServerProcess;
  let strategy: XlaStrategy;
  before(async () => {
    server = await startServer();
    strategy = new XlaStrategy({ address: server.address });
    await strategy.setup();
  });
  after(async () => {
    unseedEverything();
    await strategy?.teardown();
    await server?.stop();
  });

  test('the server runs the drawn numbers: uniform in [0, 1), one stream a seed', async () => {
    const [a, b, a2] = await strategy.runStep(() => [randomUniformFromSeed([128, 128], 11), randomUniformFromSeed([128, 128], 12), randomUniformFromSeed([128, 128], 11)]);
    const [va, vb, va2] = await Promise.all([a!, b!, a2!].map((t) => strategy.read(t)));
    tf.dispose([a!, b!, a2!]);
    assertUniform(va!, 'seed 11');
    assertUniform(vb!, 'seed 12');
    assert.deepEqual(Array.from(va2!), Array.from(va!), 'the same seed draws the same numbers');
    assert.ok(Array.from(va!).filter((x, i) => x === vb![i]).length < 10, 'another seed draws other numbers');
  });

  test('dropout draws a new mask at every step from one compiled program, and repeats under the same seedEverything', async () => {
    const x = strategy.scope(() => tf.ones([64, 32]));
    const maskOf = async () => {
      const y = await strategy.runStep(() => dropout(x, 0.25, [64, 1]));
      const values = Array.from(await strategy.read(y));
      y.dispose();
      return values;
    };
    seedEverything(21);
    const first = await maskOf();
    const compilations = strategy.stats().compilations;
    const second = await maskOf();
    const third = await maskOf();
    assert.equal(strategy.stats().compilations, compilations, 'later steps reuse the first step\'s program: the seed is an argument');
    for (const mask of [first, second, third]) {
      assert.ok(mask.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6), 'kept values are scaled by 1 / keep');
      const rows = Array.from({ length: 64 }, (_, r) => mask.slice(r * 32, r * 32 + 32));
      assert.ok(rows.every((row) => row.every((v) => v === row[0])), 'one mask value per row (noise shape [64, 1])');
      const kept = rows.filter((row) => row[0] !== 0).length;
      assert.ok(kept > 32 && kept < 64, `${kept} of 64 rows kept at rate 0.25`);
    }
    assert.notDeepEqual(second, first, 'each step draws a new mask');
    assert.notDeepEqual(third, second, 'each step draws a new mask');
    seedEverything(21);
    assert.deepEqual(await maskOf(), first, 'the same seedEverything draws the same masks');
    x.dispose();
  });

  test('a compiled step traced once draws a new mask at every replay, the masks of the uncompiled steps', async () => {
    const fn = ({ x }: { x: tf.Tensor2D }) => ({ y: dropout(x, 0.5) });
    const masks = async (compiled: boolean) => {
      seedEverything(33);
      const step = strategy.compileStep(fn, { name: 'dropout step', verify: false });
      const out: number[][] = [];
      for (let i = 0; i < 4; i++) {
        const x = strategy.scope(() => strategy.distributeBatch(tf.ones([32, 16]) as tf.Tensor2D));
        const { y } = compiled ? await step({ x }) : await strategy.runStep(() => fn({ x }));
        out.push(Array.from(await strategy.read(y)));
        tf.dispose([x, y]);
      }
      return out;
    };
    const uncompiled = await masks(false);
    const stats = strategy.stats();
    const [traces, replays] = [stats.traces, stats.replays];
    const compiled = await masks(true);
    assert.equal(stats.traces - traces, 1, 'traced once');
    assert.equal(stats.replays - replays, 3, 'replayed after');
    assert.deepEqual(compiled, uncompiled, 'each replay reads the next seed, as the uncompiled steps do');
    for (let i = 1; i < 4; i++) assert.notDeepEqual(compiled[i], compiled[i - 1], `replay ${i} draws a new mask`);
  });
});
