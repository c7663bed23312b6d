/**
 * Whether a worker runs one more warm-up step, given the warm-up steps so far (after the first
 * step, which pays set-up and compilation and is reported apart). The step after the first can
 * compile again: the tpu strategy's second and third EfficientNet-B0 steps took 14 s each, the
 * optimizer's moments being new, and were measured as steps while warm-up stopped at a slow
 * first step. So warm-up stops early only once a warm-up step itself is slower than
 * `slowStepMs`, where one more costs more than it settles (EfficientNet-B0 on llvmpipe, 20 s).
 * `bench/python/peer_worker.py` applies the same rule to the peers.
 *
 * @example
 * for (let i = 1; warmAgain(warmup, config); i++) warmup.push((await step()).ms);
 */
export function warmAgain(warmupMs: readonly number[], config: { readonly warmupSteps: number; readonly slowStepMs: number }): boolean {
  return warmupMs.length + 1 < config.warmupSteps && (warmupMs.at(-1) ?? 0) < config.slowStepMs;
}
