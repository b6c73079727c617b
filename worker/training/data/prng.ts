/**
 * A small, fast, seeded pseudo-random generator (sfc32) for data order and noise that every peer must be
 * able to replay bit for bit. Math.random cannot be seeded and tfjs's seeded ops differ between backends,
 * so anything that decides "which data" or "which noise" comes from here. Pure: no Node or DOM imports
 * beyond hashing the seed.
 */
import { createHash } from 'node:crypto';

/** Returns uniformly distributed unsigned 32-bit integers. */
export type Prng = () => number;

const TWO_POW_32 = 2 ** 32;

/** sfc32 over four 32-bit words of state. */
export function sfc32(a: number, b: number, c: number, d: number): Prng {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}

/** A generator whose whole state comes from sha256(seed), so nearby seeds give unrelated streams. */
export function seededPrng(seed: string): Prng {
  const digest = createHash('sha256').update(seed, 'utf8').digest();
  const next = sfc32(digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12));
  // The first outputs of sfc32 still correlate with the seed words; the usual remedy is to discard a few.
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** A uniform integer in [0, n), without the bias of a plain modulo (rejects the incomplete last block). */
export function randomBelow(next: Prng, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) throw new RangeError(`randomBelow: bad bound ${n}`);
  const limit = TWO_POW_32 - (TWO_POW_32 % n);
  let x = next();
  while (x >= limit) x = next();
  return x % n;
}

/** A uniform float in (0, 1]: never 0, so it is safe under a logarithm. */
export function randomUnit(next: Prng): number {
  return (next() + 1) / TWO_POW_32;
}

/** Shuffles `values` in place (Fisher–Yates) and returns it. */
export function shuffleInPlace<T extends { length: number; [index: number]: number }>(values: T, next: Prng): T {
  for (let i = values.length - 1; i > 0; i--) {
    const j = randomBelow(next, i + 1);
    const held = values[i] as number;
    values[i] = values[j] as number;
    values[j] = held;
  }
  return values;
}

/**
 * `count` standard normal samples (Box–Muller). V8's Math.log/cos/sin are fdlibm ports, so the same seed
 * gives the same floats on every machine running Node or Electron.
 */
export function gaussianArray(next: Prng, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(randomUnit(next)));
    const angle = 2 * Math.PI * randomUnit(next);
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}
