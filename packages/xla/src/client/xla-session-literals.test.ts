// Literal arguments against the real XLA server: small host values travel inside the Execute
// request, fill the argument they name (handles fill the others, in order), leave nothing on the
// server, and a literal of the wrong dtype, shape or size is refused with its reason and fix.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StrataError } from '@strata/core';
import { serverSkipReason } from '../testing/index.js';
import { sessionWithProgram } from '../testing/session-with-program.js';

// scaled(v, s) = v * s, for a vector of 3 and a scalar.
const SCALE = `module @scale {
  func.func public @main(%v: tensor<3xf32>, %s: tensor<f32>) -> (tensor<3xf32>) {
    %b = stablehlo.broadcast_in_dim %s, dims = [] : (tensor<f32>) -> tensor<3xf32>
    %r = stablehlo.multiply %v, %b : tensor<3xf32>
    return %r : tensor<3xf32>
  }
}
`;
const VECTOR = { shape: [3], dtype: 'float32', placement: 'replicated' } as const;
const SCALAR = { shape: [], dtype: 'float32', placement: 'replicated' } as const;

const scalar = (index: number, value: number) => ({ index, values: Float32Array.of(value), shape: [], dtype: 'float32' as const });

describe('XlaSession.execute with literal arguments', { skip: serverSkipReason() }, () => {
  const ctx = sessionWithProgram(SCALE, [VECTOR, SCALAR], [VECTOR]);

  it('a literal fills the argument it names, with a new value each call', async () => {
    const v = await ctx.session.upload(Float32Array.of(1, 2, 3), [3], 'float32', 'replicated');
    for (const s of [2.5, -4]) {
      const result = await ctx.session.execute(ctx.hash, [v], 12, [], [], [scalar(1, s)]);
      assert.deepEqual(Array.from(result.values[0] as Float32Array), [s, 2 * s, 3 * s]);
      await ctx.session.release(result.handles);
    }
    await ctx.session.release([v]);
  });

  it('handles fill the arguments no literal fills, in order (a literal first)', async () => {
    const s = await ctx.session.upload(Float32Array.of(10), [], 'float32', 'replicated');
    const vector = { index: 0, values: Float32Array.of(1, -2, 0.5), shape: [3], dtype: 'float32' as const };
    const result = await ctx.session.execute(ctx.hash, [s], 12, [], [], [vector]);
    assert.deepEqual(Array.from(result.values[0] as Float32Array), [10, -20, 5]);
    await ctx.session.release([...result.handles, s]);
  });

  it('leaves no buffer on the server beyond the results', async () => {
    const before = await ctx.session.usage();
    const result = await ctx.session.execute(ctx.hash, [], 0, [], [], [{ ...scalar(1, 3), index: 1 }, { index: 0, values: Float32Array.of(1, 1, 1), shape: [3], dtype: 'float32' }]);
    assert.equal((await ctx.session.usage()).buffers, before.buffers + 1);
    await ctx.session.release(result.handles);
    assert.equal((await ctx.session.usage()).buffers, before.buffers);
  });

  it('the server refuses a literal of the wrong dtype or shape, naming the argument and what it expects', async () => {
    const v = await ctx.session.upload(Float32Array.of(1, 2, 3), [3], 'float32', 'replicated');
    const wrongDtype = { index: 1, values: Int32Array.of(2), shape: [], dtype: 'int32' as const };
    await assert.rejects(ctx.session.execute(ctx.hash, [v], 0, [], [], [wrongDtype]), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'server-error', String(e));
      assert.match(e.message, /INVALID_ARGUMENT/);
      assert.match(e.message, /argument 1\).*expects f32\[\], the literal is i32\[\]/);
      return true;
    });
    const wrongShape = { index: 1, values: Float32Array.of(2, 2), shape: [2], dtype: 'float32' as const };
    await assert.rejects(ctx.session.execute(ctx.hash, [v], 0, [], [], [wrongShape]), /INVALID_ARGUMENT.*expects f32\[\], the literal is f32\[2\]/);
    await assert.rejects(ctx.session.execute(ctx.hash, [v], 0, [], [], [scalar(2, 1)]), /INVALID_ARGUMENT.*index 2 is not an argument/);
    await assert.rejects(ctx.session.execute(ctx.hash, [v, v], 0, [], [], [scalar(1, 1)]), /INVALID_ARGUMENT.*2 handle\(s\) and 1 literal\(s\)/);
    await ctx.session.release([v]);
  });

  it('refuses before sending a literal whose values do not fill its shape, or that is too large', async () => {
    const short = { index: 0, values: Float32Array.of(1, 2), shape: [3], dtype: 'float32' as const };
    await assert.rejects(ctx.session.execute(ctx.hash, [], 0, [], [], [short, scalar(1, 1)]), (e: unknown) => {
      assert.ok(e instanceof StrataError && e.kind === 'bad-input', String(e));
      assert.match(e.message, /2 value\(s\) for shape \[3\].*one value per element/);
      return true;
    });
    const large = { index: 0, values: new Float32Array(300_000), shape: [300_000], dtype: 'float32' as const };
    await assert.rejects(ctx.session.execute(ctx.hash, [], 0, [], [], [large]), /1200000 bytes, over the 1048576 .*upload\(\)/);
    await assert.rejects(ctx.session.execute(ctx.hash, [], 0, [], [], [{ ...scalar(1.5, 1) }]), /index 1.5, which is not an argument number/);
  });
});
