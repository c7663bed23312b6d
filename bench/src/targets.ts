import { StrataError, quote } from '@strata/core';

/** The Python peers, by the name `--peers` takes. */
export const PEERS = ['pytorch', 'lightning', 'jax'] as const;
export type PeerName = (typeof PEERS)[number];

/** The engines `<strategy>:<engine>` selects, for the strategies that have several. */
const ENGINES: Readonly<Record<string, readonly string[]>> = {
  cpu: ['js', 'native', 'auto'],
  cuda: ['xla', 'native', 'auto'],
};

/**
 * A bench target is a strategy name, optionally with an engine: 'cpu' (auto: native when
 * built), 'cpu:js', 'cpu:native'; 'cuda' (auto: XLA where jax's CUDA plugin is installed),
 * 'cuda:xla', 'cuda:native'.
 */
export function splitTarget(target: string): { strategy: string; engine?: string } {
  const [strategy = '', engine, ...rest] = target.split(':');
  if (rest.length > 0 || strategy === '' || engine === '') {
    throw new StrataError('bad-input', `Invalid strategy ${quote(target)}.`, { value: target, fix: "write a strategy name, or one with its engine: 'cpu:js', 'cpu:native', 'cuda:xla', 'cuda:native'." });
  }
  if (engine !== undefined) {
    const engines = ENGINES[strategy];
    if (engines === undefined || !engines.includes(engine)) {
      const all = Object.entries(ENGINES).flatMap(([name, list]) => list.map((e) => quote(`${name}:${e}`)));
      throw new StrataError('bad-input', `Invalid strategy ${quote(target)}: only the cpu and cuda strategies take an engine, and only theirs.`, {
        value: target,
        fix: `use ${all.join(', ')}.`,
      });
    }
    return { strategy, engine };
  }
  return { strategy };
}

export function isPeer(target: string): target is PeerName {
  return (PEERS as readonly string[]).includes(target);
}
