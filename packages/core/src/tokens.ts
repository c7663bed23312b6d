/** Per-strategy options (`{ tpu: { address, cores } }`), bound once per container. */
export const StrategyOptions = Symbol.for('@strata/core/StrategyOptions');

/** Options keyed by strategy name; each backend reads its own entry. */
export type StrategyOptionsMap = Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;
