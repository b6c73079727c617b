import { describe, expect, it } from 'vitest';
import { compress } from '../../../../worker/rounds/compress.js';
import { aggregate, modelHash, outerStep, type Contribution } from '../../../../worker/rounds/outer.js';
import { gaussianArray, seededPrng, shuffleInPlace } from '../../../../worker/training/data/prng.js';

const n = 3 * 4096 + 17;
const contributions: Contribution[] = Array.from({ length: 7 }, (_, peer) => {
  const { update } = compress(gaussianArray(seededPrng(`peer-${peer}`), n), new Float32Array(n));
  return { id: `contribution-${peer}`, update };
});

describe('the outer step', () => {
  it('aggregates to the same bytes whatever order the contributions arrived in', () => {
    const reference = modelHash(aggregate(contributions, n));
    const next = seededPrng('orders');
    for (let trial = 0; trial < 20; trial++) {
      const order = shuffleInPlace(Uint32Array.from(contributions, (_, i) => i), next);
      expect(modelHash(aggregate([...order].map((i) => contributions[i]!), n))).toBe(reference);
    }
  });

  it('averages: a value sent by two of seven contributions counts two sevenths', () => {
    const two: Contribution[] = [0, 1].map((peer) => ({ id: `p${peer}`, update: { size: 4, indices: Uint32Array.of(2), values: Float32Array.of(0.7) } }));
    const silent: Contribution[] = [2, 3, 4, 5, 6].map((peer) => ({ id: `p${peer}`, update: { size: 4, indices: new Uint32Array(0), values: new Float32Array(0) } }));
    expect([...aggregate([...two, ...silent], 4)]).toEqual([0, 0, Math.fround((0.7 * 2) / 7), 0]);
    expect([...aggregate([], 4)]).toEqual([0, 0, 0, 0]); // no accepted work: the weights stay where they are
  });

  it('median-norm: an update larger than the median is scaled down to it, the others stay, in any order', () => {
    const single = (id: string, value: number): Contribution => ({ id, update: { size: 3, indices: Uint32Array.of(1), values: Float32Array.of(value) } });
    // Norms 1, 2 and 1000: the median is 2, so the poisoned 1000 counts as 2 (and keeps its direction).
    const three = [single('a', 1), single('b', -2), single('c', 1000)];
    expect([...aggregate(three, 3, { name: 'median-norm' })]).toEqual([0, Math.fround((1 - 2 + 2) / 3), 0]);
    expect([...aggregate(three, 3)]).toEqual([0, Math.fround((1 - 2 + 1000) / 3), 0]);
    const reference = modelHash(aggregate(contributions, n, { name: 'median-norm' }));
    expect(modelHash(aggregate([...contributions].reverse(), n, { name: 'median-norm' }))).toBe(reference);
    expect(reference).not.toBe(modelHash(aggregate(contributions, n)));
  });

  it('takes a Nesterov step: momentum first, then the look-ahead', () => {
    const theta = Float32Array.of(1, -2, 0.5);
    const gradient = Float32Array.of(0.1, -0.2, 0);
    const momentum = Float32Array.of(0.5, 0, -1);
    const next = outerStep(theta, gradient, momentum, { lr: 0.7, momentum: 0.9 });
    // In the float32 values the vectors hold: 0.1 is not 0.1 there.
    const [g, t] = [[...gradient], [...theta]];
    const m = [0.9 * 0.5 + g[0]!, 0.9 * 0 + g[1]!, 0.9 * -1 + g[2]!].map(Math.fround);
    expect([...momentum]).toEqual(m);
    expect([...next]).toEqual(t.map((theta, i) => Math.fround(theta - 0.7 * (g[i]! + 0.9 * m[i]!))));
    // Not plain momentum SGD (θ − lr·m): the look-ahead adds the gradient again.
    expect(next[0]).not.toBe(Math.fround(t[0]! - 0.7 * m[0]!));
  });

  it('names the weights by a hash that changes with a single bit', () => {
    const weights = gaussianArray(seededPrng('w'), 1000);
    const copy = Float32Array.from(weights);
    expect(modelHash(copy)).toBe(modelHash(weights));
    new Uint8Array(copy.buffer)[1234]! ^= 1;
    expect(modelHash(copy)).not.toBe(modelHash(weights));
    expect(modelHash(weights)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('modelHash over weights and momentum', () => {
  it('covers both vectors, in order', () => {
    const a = Float32Array.from([1, 2, 3]);
    const b = Float32Array.from([4, 5, 6]);
    expect(modelHash(a, b)).toBe(modelHash(Float32Array.from([1, 2, 3, 4, 5, 6])));
    expect(modelHash(a, b)).not.toBe(modelHash(b, a));
    const changed = Float32Array.from(b);
    changed[2] = Math.fround(6.000001);
    expect(modelHash(a, changed)).not.toBe(modelHash(a, b));
  });
});
