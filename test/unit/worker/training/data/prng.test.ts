import { describe, expect, it } from 'vitest';
import { gaussianArray, randomBelow, randomUnit, seededPrng, sfc32, shuffleInPlace } from '../../../../../worker/training/data/prng.js';

const draw = (next: () => number, n: number) => Array.from({ length: n }, next);

describe('seeded PRNG', () => {
  it('replays the same stream for the same seed, and an unrelated one for another', () => {
    expect(draw(seededPrng('run-1'), 8)).toEqual(draw(seededPrng('run-1'), 8));
    expect(draw(seededPrng('run-1'), 8)).not.toEqual(draw(seededPrng('run-2'), 8));
    expect(draw(sfc32(1, 2, 3, 4), 4)).toEqual(draw(sfc32(1, 2, 3, 4), 4));
  });

  it('yields unsigned 32-bit integers and floats in (0, 1]', () => {
    const next = seededPrng('range');
    for (const x of draw(next, 1000)) expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
    for (let i = 0; i < 1000; i++) {
      const u = randomUnit(next);
      expect(u > 0 && u <= 1).toBe(true);
    }
  });

  it('draws bounded integers uniformly', () => {
    const next = seededPrng('uniform');
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) counts[randomBelow(next, 10)]! += 1;
    for (const count of counts) expect(Math.abs(count - 2000)).toBeLessThan(200); // ≈ 4.7 standard deviations
    expect(() => randomBelow(next, 0)).toThrow(RangeError);
  });

  it('shuffles into a permutation', () => {
    const values = Uint32Array.from({ length: 100 }, (_, i) => i);
    shuffleInPlace(values, seededPrng('shuffle'));
    expect([...values].sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
    expect([...values]).not.toEqual([...Array(100).keys()]);
  });

  it('makes standard normal noise, reproducibly', () => {
    const noise = gaussianArray(seededPrng('noise'), 20_001);
    expect(noise).toEqual(gaussianArray(seededPrng('noise'), 20_001));
    const mean = noise.reduce((sum, x) => sum + x, 0) / noise.length;
    const variance = noise.reduce((sum, x) => sum + (x - mean) ** 2, 0) / noise.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(noise.every(Number.isFinite)).toBe(true);
  });
});
