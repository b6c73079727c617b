/** A round's emission split by credited work: exact to the wei, capped per peer, the same in any order. */
import { describe, expect, it } from 'vitest';
import { qualityOf, splitRound, type Credited } from '../../../../worker/rewards/split.js';
import { randomBelow, seededPrng } from '../../../../worker/training/data/prng.js';

const address = (i: number) => `0x${i.toString(16).padStart(40, '0')}`;
const hash = (i: number) => i.toString(16).padStart(64, '0');
const contribution = (i: number, samples: number, score = 1, peer = `peer-${i}`): Credited => ({ hash: hash(i), peer, address: address(i), samples, score });
const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

describe('splitting a round among its contributions', () => {
  it('pays by samples × quality', () => {
    const { credits, unallocated } = splitRound(1000n, [contribution(1, 100), contribution(2, 300), contribution(3, 100, 0.5)], 10_000);
    // Work 100, 300, 50 of 450.
    expect(credits.map((c) => c.wei)).toEqual([222n, 667n, 111n]);
    expect(unallocated).toBe(0n);
  });

  it('a score of 0, a negative one or one not finite earns nothing; scores above 1 count as 1', () => {
    expect([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 0.25, 7].map(qualityOf)).toEqual([0n, 0n, 0n, 0n, 250_000n, 1_000_000n]);
    const { credits } = splitRound(900n, [contribution(1, 100, 0), contribution(2, 100, Number.NaN), contribution(3, 100)], 10_000);
    expect(credits.map((c) => c.wei)).toEqual([0n, 0n, 900n]);
  });

  it('caps each peer and shares what the capped leave among the others (water-filling)', () => {
    // Cap 40 % of 1000 = 400. Peer 1 would take 800 of 1000; it gets 400 and the 600 left is shared 1:2.
    const { credits, unallocated } = splitRound(1000n, [contribution(1, 800), contribution(2, 100), contribution(3, 100)], 4_000);
    expect(credits.map((c) => c.wei)).toEqual([400n, 300n, 300n]);
    expect(unallocated).toBe(0n);
    // A second pass: 2 ends at the cap once 1 is capped.
    const second = splitRound(1000n, [contribution(1, 700), contribution(2, 200), contribution(3, 50), contribution(4, 50)], 4_000);
    expect(second.credits.map((c) => c.wei)).toEqual([400n, 400n, 100n, 100n]);
  });

  it('a peer alone takes its cap; the rest is unallocated (it stays unminted)', () => {
    const { credits, unallocated } = splitRound(1000n, [contribution(1, 10)], 2_500);
    expect(credits[0]!.wei).toBe(250n);
    expect(unallocated).toBe(750n);
  });

  it("a contribution without a reward address earns nothing for anyone: its share is unallocated", () => {
    const { credits, unallocated } = splitRound(1000n, [{ ...contribution(1, 100), address: null }, contribution(2, 100)], 10_000);
    expect(credits.map((c) => c.wei)).toEqual([0n, 500n]);
    expect(unallocated).toBe(500n);
  });

  it("one peer's contributions share one cap, split by their work", () => {
    const { credits } = splitRound(1000n, [contribution(1, 300, 1, 'a'), contribution(2, 100, 1, 'a'), contribution(3, 400, 1, 'b'), contribution(4, 400, 1, 'c')], 10_000);
    // a: 400 of 1200 work → 333 (+1 remainder wei, by the largest remainders), split 3:1 within a.
    expect(sum(credits.map((c) => c.wei))).toBe(1000n);
    expect(credits[0]!.wei + credits[1]!.wei).toBe(334n);
    expect(credits[0]!.wei).toBe(251n);
  });

  it('for random rounds: credits + unallocated = emission exactly, nobody passes the cap, and the order given changes nothing', () => {
    const next = seededPrng('split');
    for (let trial = 0; trial < 300; trial++) {
      const count = 1 + randomBelow(next, 12);
      const contributions = Array.from({ length: count }, (_, i) =>
        contribution(i, randomBelow(next, 5000), randomBelow(next, 10) === 0 ? 0 : (1 + randomBelow(next, 1000)) / 1000, `peer-${randomBelow(next, 8)}`),
      );
      if (randomBelow(next, 5) === 0) contributions[0] = { ...contributions[0]!, address: null };
      const emission = BigInt(randomBelow(next, 2 ** 31)) * 10n ** BigInt(randomBelow(next, 18));
      const capBps = 1 + randomBelow(next, 10_000);
      const { credits, unallocated } = splitRound(emission, contributions, capBps);
      expect(sum(credits.map((c) => c.wei)) + unallocated).toBe(emission);
      expect(credits.every((c) => c.wei >= 0n)).toBe(true);
      const cap = (emission * BigInt(capBps)) / 10_000n;
      const perPeer = new Map<string, bigint>();
      for (const c of credits) perPeer.set(c.peer, (perPeer.get(c.peer) ?? 0n) + c.wei);
      for (const wei of perPeer.values()) expect(wei).toBeLessThanOrEqual(cap);

      const reversed = splitRound(emission, [...contributions].reverse(), capBps);
      const byHash = new Map(reversed.credits.map((c) => [c.hash, c.wei]));
      expect(credits.map((c) => byHash.get(c.hash))).toEqual(credits.map((c) => c.wei));
      expect(reversed.unallocated).toBe(unallocated);
    }
  });
});
