import { startLocalXlaServer as startServer } from '@strata/backend-tpu';

/** A local XLA server the bench started for the 'tpu' strategy, or why there is none. */
export type LocalXlaServer =
  | { readonly ok: true; readonly address: string; stop(): Promise<void> }
  | { readonly ok: false; readonly reason: string };

/**
 * Starts `python -m strata_xla_server` on a free loopback port (XLA:CPU when this machine has
 * no TPU or GPU) through backend-tpu's own helper, and turns a failure into a row reason
 * instead of an exception, so the other rows still run.
 */
export async function startLocalXlaServer(python: string | undefined, timeoutMs = 90_000): Promise<LocalXlaServer> {
  if (!python) return { ok: false, reason: 'no Python with strata_xla_server (run bash scripts/setup.sh, or pass --tpu-address)' };
  try {
    const server = await startServer({ python, startTimeoutMs: timeoutMs });
    return { ok: true, address: server.address, stop: () => server.stop() };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}
