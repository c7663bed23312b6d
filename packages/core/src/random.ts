// Seeded randomness shared by every Strata package: the generator, and the one global state
// that `seedEverything` sets and checkpoints save. It lives in core so that @strata/training and
// @strata/vision draw from the same instance.

/**
 * A seeded pseudo-random generator (mulberry32). Hand-written rather than imported because its
 * whole state is one uint32, which a checkpoint can save and restore exactly.
 */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A standard normal sample (Box-Muller). */
  nextNormal(): number {
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns them. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** The generator's state, for checkpoints. */
  getState(): number {
    return this.state;
  }

  setState(state: number): void {
    this.state = state >>> 0;
  }
}

/** The generator behind Math.random after `seedEverything`, and its seed. */
let global: { seed: number; random: SeededRandom } | undefined;
const unseededMathRandom = Math.random;

/**
 * Seeds every source of randomness Strata's training uses, as Lightning's `seed_everything`:
 * Math.random (which tfjs uses to seed dropout and initializers when no seed is given) then
 * draws from a `SeededRandom` whose state checkpoints save and restore. Returns the seed.
 *
 * @example
 * seedEverything(42);
 * const trainer = new Trainer({ deterministic: true, maxEpochs: 3 });
 */
export function seedEverything(seed: number): number {
  if (!Number.isInteger(seed)) throw new TypeError(`seedEverything: seed must be an integer, received ${String(seed)}.`);
  const random = new SeededRandom(seed);
  global = { seed, random };
  Math.random = () => random.next();
  return seed;
}

/** The seeded generator's seed and state, or undefined before `seedEverything`. */
export function globalRngState(): { seed: number; state: number } | undefined {
  return global ? { seed: global.seed, state: global.random.getState() } : undefined;
}

/** Restores a state from `globalRngState()` (seeding first if needed). */
export function setGlobalRngState(state: { seed: number; state: number }): void {
  if (!global) seedEverything(state.seed);
  global!.seed = state.seed;
  global!.random.setState(state.state);
}

/** Gives Math.random back its unseeded generator. */
export function unseedEverything(): void {
  global = undefined;
  Math.random = unseededMathRandom;
}
