/** The cheats: each changes what it claims to, and leaves the honest update it started from alone. */
import { describe, expect, it } from 'vitest';
import { cheatUpdate, forge, makeCheat, makeHonest, readyToCheat, SCALED_FACTOR, UPDATE_CHEATS } from '../../../../worker/rounds/adversary.js';
import { compress, decompress, NonFiniteUpdateError } from '../../../../worker/rounds/compress.js';
import { l2 } from '../../../../worker/rounds/sparse-stats.js';
import { overlap } from '../../../../worker/verify/screen.js';
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

describe('forged contributions', () => {
  const compression = { chunk: 4096, k: 64, beta: 0.95 };
  const base = 'ab'.repeat(32);
  const input = (kind: Parameters<typeof forge>[0]['kind'], more: Partial<Parameters<typeof forge>[0]> = {}) =>
    forge({ kind, delta, compression, seed: 's', base, previousBase: null, others: [], earlier: [], ...more });
  const honest = compress(delta, new Float32Array(delta.length), compression);

  it('a copycat needs someone to copy, and then sends their update barely changed, under another hash', () => {
    expect(input('copycat')).toBeNull();
    const copy = input('copycat', { others: [honest.update] })!;
    expect(copy.baseHash).toBe(base);
    expect(Buffer.from(copy.payload).equals(Buffer.from(honest.payload))).toBe(false);
    expect(overlap(decompress(copy.payload, delta.length), honest.update)).toBe(1);
  });

  it('a replayer sends an accepted payload again, byte for byte', () => {
    expect(input('replay')).toBeNull();
    expect(input('replay', { earlier: [honest.payload] })!.payload).toBe(honest.payload);
  });

  it('a stale base claims the round before, or a base that is not the round’s', () => {
    expect(input('stalebase', { previousBase: 'cd'.repeat(32) })!.baseHash).toBe('cd'.repeat(32));
    expect(input('stalebase')!.baseHash).not.toBe(base);
    expect(input('stalebase')!.baseHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a poisoner’s payload does not decode, as a non-finite update', () => {
    expect(() => decompress(input('nan')!.payload, delta.length)).toThrow(NonFiniteUpdateError);
    // Honest compression of the same NaN-holding update would send no NaN at all: the bytes are forged.
    expect(compress(cheatUpdate('nan', delta, 's'), new Float32Array(delta.length), compression).update.values.every(Number.isFinite)).toBe(true);
  });

  it('update cheats decode to what they are named for', () => {
    expect(decompress(input('zero')!.payload, delta.length).values.every((v) => v === 0)).toBe(true);
    const flipped = decompress(input('signflip')!.payload, delta.length);
    expect(overlap(flipped, honest.update)).toBe(0);
    expect(l2(decompress(input('scaled')!.payload, delta.length)) / l2(honest.update)).toBeCloseTo(SCALED_FACTOR, 0);
    expect(l2(decompress(input('freerider')!.payload, delta.length)) / l2(honest.update)).toBeCloseTo(0.1, 2);
  });
});

describe('contributions as a peer makes them', () => {
  const compression = { chunk: 4096, k: 64, beta: 0.95 };
  const base = 'cd'.repeat(32);
  const made = (kind: Parameters<typeof makeCheat>[2]['kind'], error = new Float32Array(delta.length)) =>
    makeCheat(delta, error, { kind, compression, seed: 's', base, previousBase: 'ef'.repeat(32), others: [], earlier: [] });

  it('an honest peer sends what it compressed and keeps the rest in its error buffer', () => {
    const error = new Float32Array(delta.length);
    const honest = makeHonest(delta, error, compression, base);
    expect(honest.sent).toBe(honest.update);
    expect(honest.baseHash).toBe(base);
    expect(decompress(honest.payload, delta.length).values).toEqual(honest.update!.values);
    expect(rms(error)).toBeGreaterThan(0);
  });

  it('a cheat moves its error buffer as an honest peer would, and puts nothing back (sent is empty)', () => {
    const honestError = new Float32Array(delta.length);
    makeHonest(delta, honestError, compression, base);
    const error = new Float32Array(delta.length);
    const scaled = made('scaled', error);
    expect(error).toEqual(honestError);
    expect(scaled.sent.indices).toHaveLength(0);
    expect(l2(scaled.update!) / l2(makeHonest(delta, new Float32Array(delta.length), compression, base).update!)).toBeCloseTo(SCALED_FACTOR, 0);
  });

  it('says why others will refuse it: another base, or values that are not numbers', () => {
    expect(made('stalebase')).toMatchObject({ update: null, baseHash: 'ef'.repeat(32), refused: 'wrong-base' });
    expect(made('nan')).toMatchObject({ update: null, baseHash: base, refused: 'non-finite' });
    expect(made('zero').refused).toBeUndefined();
  });

  it('a copycat waits for another update of the round, a replayer for an accepted one', () => {
    expect([readyToCheat('copycat', 0, 5), readyToCheat('copycat', 1, 0)]).toEqual([false, true]);
    expect([readyToCheat('replay', 5, 0), readyToCheat('replay', 0, 1)]).toEqual([false, true]);
    expect(readyToCheat('noise', 0, 0)).toBe(true);
  });
});
