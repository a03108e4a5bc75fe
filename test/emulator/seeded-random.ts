/**
 * Deterministic randomness for the emulator. Everything the generator and the fault
 * injection decide comes from here, so one seed always gives the same organization and
 * the same faults; `Math.random` is never used.
 */

/** A seed as the options accept it: numbers and strings both work. */
export type Seed = number | string;

/** A stream of pseudo-random numbers from one seed. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** A new array with the items in random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** `count` lowercase alphanumeric characters, as AWS ids use. */
  alnum(count: number): string;
  /** `count` decimal digits. */
  digits(count: number): string;
}

const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * 32-bit FNV-1a over the text, then an avalanche step. Used both to turn a seed into
 * PRNG state and for stateless per-key decisions (see {@link hashFraction}).
 */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // FNV alone leaves nearby keys correlated in the high bits; mix them.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Creates a PRNG (sfc32) seeded from `seed` and an optional stream name. Different
 * stream names give independent sequences from the same seed, so adding a draw in one
 * part of the generator does not shift every id produced by another part.
 */
export function createRandom(seed: Seed, stream = ''): Random {
  const key = `${typeof seed}:${String(seed)}/${stream}`;
  let a = hash32(`a${key}`);
  let b = hash32(`b${key}`);
  let c = hash32(`c${key}`);
  let d = 1;

  const nextUint = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32 needs a few rounds to mix weak seeds.
  for (let i = 0; i < 12; i++) nextUint();

  const next = (): number => nextUint() / 4294967296;
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));

  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new RangeError('pick from an empty array');
      return items[int(0, items.length - 1)];
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = items.slice();
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        const tmp = out[i];
        out[i] = out[j];
        out[j] = tmp;
      }
      return out;
    },
    alnum: (count: number): string => {
      let s = '';
      for (let i = 0; i < count; i++) s += ALNUM[int(0, ALNUM.length - 1)];
      return s;
    },
    digits: (count: number): string => {
      let s = '';
      for (let i = 0; i < count; i++) s += String(int(0, 9));
      return s;
    },
  };
}

/**
 * A number in [0, 1) that depends only on the parts given. Fault injection uses it
 * to decide per target or per page, so the decision does not depend on the order in
 * which concurrent requests happen to arrive.
 */
export function hashFraction(...parts: readonly (string | number)[]): number {
  return hash32(parts.join('\u0000')) / 4294967296;
}
