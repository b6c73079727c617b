/**
 * Cheating strategies, for testing the network's defences with the real node code (`--adversary`) and for
 * the benchmarks: each turns the honest pseudo-gradient Δ a peer trained into what a cheat would send in its
 * place. These are the strategies that change the update itself; those that lie about where an update came
 * from (a copy, a replay, a stale base) live with the round driver, which has the other contributions.
 */
import { gaussianArray, seededPrng } from '../training/data/prng.js';

export const UPDATE_CHEATS = ['zero', 'noise', 'scaled', 'signflip', 'nan', 'freerider'] as const;
export type UpdateCheat = (typeof UPDATE_CHEATS)[number];

/** How much a `scaled` cheat multiplies its update: enough to drag a mean of honest updates far off. */
export const SCALED_FACTOR = 20;

/**
 * The update a cheat of `kind` sends instead of `delta` (a new vector; `delta` is left as it is).
 * - zero: nothing trained, an empty update claimed as work;
 * - noise: random values of the honest update's size (it looks like work and is none);
 * - scaled: the honest update × 20, to drag the aggregate;
 * - signflip: the honest update reversed, to undo the others' work;
 * - nan: a NaN in the middle, to poison every peer's weights;
 * - freerider: a tenth of the training (one step in ten), claimed as the whole.
 */
export function cheatUpdate(kind: UpdateCheat, delta: Float32Array, seed: string): Float32Array {
  switch (kind) {
    case 'zero':
      return new Float32Array(delta.length);
    case 'noise': {
      let squares = 0;
      for (const v of delta) squares += v * v;
      const scale = Math.sqrt(squares / Math.max(1, delta.length));
      return gaussianArray(seededPrng(`noise/${seed}`), delta.length).map((z) => z * scale);
    }
    case 'scaled':
      return delta.map((v) => v * SCALED_FACTOR);
    case 'signflip':
      return delta.map((v) => -v);
    case 'nan': {
      const poisoned = Float32Array.from(delta);
      poisoned[poisoned.length >> 1] = Number.NaN;
      return poisoned;
    }
    case 'freerider':
      return delta.map((v) => v / 10);
  }
}
