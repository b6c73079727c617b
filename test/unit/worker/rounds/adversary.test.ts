/** The update cheats: each changes what it claims to, and leaves the honest update it started from alone. */
import { describe, expect, it } from 'vitest';
import { cheatUpdate, SCALED_FACTOR, UPDATE_CHEATS } from '../../../../worker/rounds/adversary.js';
import { gaussianArray, seededPrng } from '../../../../worker/training/data/prng.js';

const delta = gaussianArray(seededPrng('delta'), 4096).map((z) => z * 0.01);
const rms = (v: Float32Array) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0) / v.length);

describe('update cheats', () => {
  it('each kind sends what it is named for', () => {
    expect(cheatUpdate('zero', delta, 's').every((v) => v === 0)).toBe(true);
    const noise = cheatUpdate('noise', delta, 's');
    expect(rms(noise) / rms(delta)).toBeCloseTo(1, 1);
    expect(noise.filter((v, i) => Math.sign(v) === Math.sign(delta[i]!)).length / delta.length).toBeCloseTo(0.5, 1);
    expect(cheatUpdate('scaled', delta, 's')[7]).toBeCloseTo(delta[7]! * SCALED_FACTOR, 6);
    expect(cheatUpdate('signflip', delta, 's')[7]).toBe(-delta[7]!);
    expect(cheatUpdate('nan', delta, 's').some(Number.isNaN)).toBe(true);
    expect(cheatUpdate('freerider', delta, 's')[7]).toBeCloseTo(delta[7]! / 10, 7);
  });

  it('leaves the honest update as it was, and noise differs by seed', () => {
    const before = Float32Array.from(delta);
    for (const kind of UPDATE_CHEATS) cheatUpdate(kind, delta, 's');
    expect(delta).toEqual(before);
    expect(cheatUpdate('noise', delta, 'a')).not.toEqual(cheatUpdate('noise', delta, 'b'));
  });
});
