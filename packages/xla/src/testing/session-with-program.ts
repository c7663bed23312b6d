// Shared set-up of the session tests: a local XLA server, a client and one session with one
// StableHLO program compiled, opened before the suite's tests and closed after them.
import { createHash } from 'node:crypto';
import { after, before } from 'node:test';
import { startLocalXlaServer, type LocalXlaServer } from '../local-xla-server.js';
import type { TensorSpecLike } from '../lazy/program-executor.js';
import { XlaClient } from '../client/xla-client.js';
import { XlaSession } from '../client/xla-session.js';

export interface SessionWithProgram {
  server: LocalXlaServer;
  client: XlaClient;
  session: XlaSession;
  /** The program's sha256, as Execute names it. */
  readonly hash: string;
}

/** Registers the suite's before and after hooks; the returned object is filled in `before`. */
export function sessionWithProgram(program: string, inputs: readonly TensorSpecLike[], outputs: readonly TensorSpecLike[]): SessionWithProgram {
  const state = { hash: createHash('sha256').update(program).digest('hex') } as SessionWithProgram;
  before(async () => {
    state.server = await startLocalXlaServer();
    state.client = new XlaClient(state.server.address);
    state.session = await XlaSession.open(state.client, { numDevices: 1 });
    await state.session.compile(state.hash, program, [...inputs], [...outputs]);
  });
  after(async () => {
    await state.session?.close();
    state.client?.close();
    await state.server?.stop();
  });
  return state;
}
