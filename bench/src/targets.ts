import { StrataError, quote } from '@strata/core';

/** The Python peers, by the name `--peers` takes. */
export const PEERS = ['pytorch', 'lightning', 'jax'] as const;
export type PeerName = (typeof PEERS)[number];

/** Engines of the CPU strategy that `cpu:<engine>` selects. */
const CPU_ENGINES = ['js', 'native', 'auto'];

/**
 * A bench target is a strategy name, optionally with the CPU engine: 'cpu' (auto: native when
 * built), 'cpu:js', 'cpu:native'.
 */
export function splitTarget(target: string): { strategy: string; engine?: string } {
  const [strategy = '', engine, ...rest] = target.split(':');
  if (rest.length > 0 || strategy === '' || engine === '') {
    throw new StrataError('bad-input', `Invalid strategy ${quote(target)}.`, { value: target, fix: "write a strategy name, or 'cpu:js' / 'cpu:native' for one CPU engine." });
  }
  if (engine !== undefined) {
    if (strategy !== 'cpu' || !CPU_ENGINES.includes(engine)) {
      throw new StrataError('bad-input', `Invalid strategy ${quote(target)}: only the cpu strategy takes an engine.`, {
        value: target,
        fix: `use ${CPU_ENGINES.map((e) => quote(`cpu:${e}`)).join(', ')}.`,
      });
    }
    return { strategy, engine };
  }
  return { strategy };
}

export function isPeer(target: string): target is PeerName {
  return (PEERS as readonly string[]).includes(target);
}
