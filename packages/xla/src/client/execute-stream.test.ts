// Execute requests on one held-open ExecuteStream call: against the real XLA server, replies
// come back in order (also for requests sent before the previous reply), an error rejects its
// request with Execute's status and the next request opens a new call; a server without
// ExecuteStream (one of an earlier version) gets unary Execute calls instead; an idle call ends
// by itself.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { StrataError } from '@strata/core';
import { serverSkipReason } from '../testing/index.js';
import { sessionWithProgram } from '../testing/session-with-program.js';
import { ExecuteStream, IDLE_END_MS } from './execute-stream.js';
import { xlaServiceClient } from './proto-loader.js';
import { XlaClient } from './xla-client.js';

// add_one(v) = v + 1, for a vector of 3.
const ADD_ONE = `module @add_one {
  func.func public @main(%v: tensor<3xf32>) -> (tensor<3xf32>) {
    %one = stablehlo.constant dense<1.0> : tensor<3xf32>
    %r = stablehlo.add %v, %one : tensor<3xf32>
    return %r : tensor<3xf32>
  }
}
`;
const VECTOR = { shape: [3], dtype: 'float32', placement: 'replicated' } as const;

describe('XlaSession.execute over ExecuteStream', { skip: serverSkipReason() }, () => {
  const ctx = sessionWithProgram(ADD_ONE, [VECTOR], [VECTOR]);

  it('runs requests sent back to back in order, each on the output of the one before', async () => {
    let v = await ctx.session.upload(Float32Array.of(1, 2, 3), [3], 'float32', 'replicated');
    const first = await ctx.session.execute(ctx.hash, [v], 0, [v]);
    v = first.handles[0]!;
    // Three runs of independent inputs sent without waiting: three replies, in order.
    const inputs = await Promise.all([10, 20, 30].map((x) => ctx.session.upload(Float32Array.of(x, x, x), [3], 'float32', 'replicated')));
    const results = await Promise.all(inputs.map((h) => ctx.session.execute(ctx.hash, [h], 12, [h])));
    assert.deepEqual(results.map((r) => Array.from(r.values[0] as Float32Array)), [[11, 11, 11], [21, 21, 21], [31, 31, 31]]);
    const last = await ctx.session.execute(ctx.hash, [v], 12, [v]);
    assert.deepEqual(Array.from(last.values[0] as Float32Array), [3, 4, 5]);
    await ctx.session.release([...results.flatMap((r) => r.handles), ...last.handles]);
  });

  it("rejects a failed request with Execute's status, and the next request runs on a new call", async () => {
    await assert.rejects(ctx.session.execute(ctx.hash, ['no-such-handle'], 12), (e: unknown) => e instanceof StrataError && /Execute/.test(e.message) && /no-such-handle/.test(e.message));
    const v = await ctx.session.upload(Float32Array.of(0, 0, 0), [3], 'float32', 'replicated');
    const after = await ctx.session.execute(ctx.hash, [v], 12, [v]);
    assert.deepEqual(Array.from(after.values[0] as Float32Array), [1, 1, 1]);
    await ctx.session.release(after.handles);
  });

  it('ends a call with no request waiting after IDLE_END_MS, so an unclosed session does not hold the process', async () => {
    const tracked = new Set<grpc.Call>();
    const stream = new ExecuteStream(ctx.client, { started: (c) => tracked.add(c), ended: (c) => tracked.delete(c) }, () => Promise.reject(new Error('unary is not used')));
    const v = await ctx.session.upload(Float32Array.of(0, 0, 0), [3], 'float32', 'replicated');
    const reply = await stream.send<{ outputs: { handle: string }[] }>({ session_id: ctx.session.id, program_hash: ctx.hash, inputs: [v] });
    assert.equal(tracked.size, 1, 'the call stays open between requests');
    await new Promise((resolve) => setTimeout(resolve, IDLE_END_MS + 500));
    assert.equal(tracked.size, 0, 'the idle call has ended');
    await ctx.session.release([v, ...reply.outputs.map((o) => o.handle)]);
  });
});

describe('ExecuteStream against a server without it', () => {
  it('sends the same requests as unary Execute calls, from the first on', async () => {
    // A server of an earlier protocol: Execute only (ExecuteStream answers UNIMPLEMENTED).
    const older = new grpc.Server();
    const seen: string[] = [];
    older.addService(xlaServiceClient().service, {
      Execute: (call: grpc.ServerUnaryCall<{ program_hash: string }, object>, done: grpc.sendUnaryData<object>) => {
        seen.push(call.request.program_hash);
        done(null, { outputs: [], execute_ms: seen.length });
      },
    });
    const port = await new Promise<number>((resolve, reject) => older.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    const client = new XlaClient(`grpc://127.0.0.1:${port}`);
    const tracked = new Set<grpc.Call>();
    const stream = new ExecuteStream(client, { started: (c) => tracked.add(c), ended: (c) => tracked.delete(c) }, (request) => client.unary('Execute', request));
    try {
      const replies = await Promise.all(['a', 'b'].map((hash) => stream.send<{ execute_ms: number }>({ session_id: 's', program_hash: hash })));
      assert.deepEqual(replies.map((r) => r.execute_ms), [1, 2]);
      const third = await stream.send<{ execute_ms: number }>({ session_id: 's', program_hash: 'c' });
      assert.equal(third.execute_ms, 3);
      assert.deepEqual(seen, ['a', 'b', 'c']);
      assert.equal(tracked.size, 0, 'the stream call is over');
    } finally {
      client.close();
      older.forceShutdown();
    }
  });
});
