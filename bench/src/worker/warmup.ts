/**
 * Whether a worker runs one more warm-up step, given the warm-up steps so far (after the first
 * step, which pays set-up and compilation and is reported apart). The steps after the first can
 * compile again (the tpu strategy compiles a new program once the optimizer's moments exist), so
 * a slow first step is no reason to stop warming up: warm-up stops early only once a warm-up
 * step itself is slower than `slowStepMs`, where one more costs more than it settles (a large
 * model on a slow engine). `bench/python/peer_protocol.py` applies the same rule to the peers.
 *
 * @example
 * for (let i = 1; warmAgain(warmup, config); i++) warmup.push((await step()).ms);
 */
export function warmAgain(warmupMs: readonly number[], config: { readonly warmupSteps: number; readonly slowStepMs: number }): boolean {
  return warmupMs.length + 1 < config.warmupSteps && (warmupMs.at(-1) ?? 0) < config.slowStepMs;
}
