/**
 * Reputation as a moving average of scores, in integers: it climbs towards a steady peer's score, decays to
 * nothing for a peer that goes silent (and leaves the table), decides who may lead, and scales the reward cap.
 */
import { describe, expect, it } from 'vitest';
import { CAP_FLOOR, DROP_BELOW, LEAD_MIN, MAX_REPUTATION, PPM, capShareOf, leadersOf, nextReputation, reputationOf, sameReputation, type Reputation } from '../../../../worker/verify/reputation.js';

const rounds = (table: Reputation, count: number, accepted: Array<{ peer: string; score: number }>) => {
  for (let i = 0; i < count; i++) table = nextReputation(table, accepted);
  return table;
};

describe('reputation', () => {
  it('moves a fifth of the way to the round’s score, a peer’s best contribution counting', () => {
    const once = nextReputation([], [{ peer: 'a', score: 1 }, { peer: 'b', score: 0.5 }, { peer: 'a', score: 0.2 }]);
    expect(once).toEqual([{ peer: 'a', ppm: 200_000 }, { peer: 'b', ppm: 100_000 }]);
    // A score past 1 counts as 1; a negative or non-finite one as 0.
    expect(nextReputation([], [{ peer: 'c', score: 7 }, { peer: 'd', score: -1 }, { peer: 'e', score: Number.NaN }])).toEqual([{ peer: 'c', ppm: 200_000 }]);
    // A steady peer approaches its score and never passes it.
    const steady = rounds([], 60, [{ peer: 'a', score: 0.8 }]);
    expect(reputationOf(steady, 'a')).toBeGreaterThan(790_000);
    expect(reputationOf(steady, 'a')).toBeLessThanOrEqual(800_000);
  });

  it('decays a silent peer to nothing and drops it from the table', () => {
    let table = rounds([], 30, [{ peer: 'gone', score: 1 }, { peer: 'stays', score: 1 }]);
    expect(reputationOf(table, 'gone')).toBeGreaterThan(990_000);
    table = nextReputation(table, [{ peer: 'stays', score: 1 }]);
    expect(reputationOf(table, 'gone')).toBeLessThan(800_000);
    let silent = 1;
    while (table.some((e) => e.peer === 'gone')) {
      table = nextReputation(table, [{ peer: 'stays', score: 1 }]);
      silent++;
    }
    expect(silent).toBeLessThan(40);
    expect(table.every((e) => e.ppm >= DROP_BELOW && e.ppm <= PPM)).toBe(true);
    expect(table.map((e) => e.peer)).toEqual(['stays']);
  });

  it('keeps the table sorted and bounded, the same whatever order the round names peers in', () => {
    const many = Array.from({ length: MAX_REPUTATION + 10 }, (_, i) => ({ peer: `p${String(i).padStart(5, '0')}`, score: 0.5 + i / (2 * (MAX_REPUTATION + 10)) }));
    const table = nextReputation([], many);
    expect(table).toHaveLength(MAX_REPUTATION);
    expect(table.map((e) => e.peer)).toEqual([...table.map((e) => e.peer)].sort());
    // The lowest went first.
    expect(table.some((e) => e.peer === 'p00009')).toBe(false);
    expect(table.some((e) => e.peer === 'p00010')).toBe(true);
    expect(sameReputation(table, nextReputation([], [...many].reverse()))).toBe(true);
    expect(sameReputation(table, table.slice(1))).toBe(false);
  });

  it('lets the reputed of the last round’s contributors lead; with none, all of them', () => {
    const table = rounds([], 2, [{ peer: 'old', score: 1 }, { peer: 'left', score: 1 }]);
    expect(reputationOf(table, 'old')).toBeGreaterThanOrEqual(LEAD_MIN);
    expect(leadersOf(table, ['old', 'new'])).toEqual(['old']);
    // A reputed peer that did not contribute to the last round does not rank first.
    expect(leadersOf(table, ['new', 'other'])).toEqual(['new', 'other']);
    expect(leadersOf(nextReputation([], [{ peer: 'old', score: 1 }]), ['old', 'new'])).toEqual(['old', 'new']);
  });

  it('scales the cap from half for a newcomer to all of it at full reputation', () => {
    expect(capShareOf([], 'new')).toBe(CAP_FLOOR);
    expect(capShareOf([{ peer: 'x', ppm: PPM }], 'x')).toBe(PPM);
    expect(capShareOf([{ peer: 'x', ppm: 500_000 }], 'x')).toBe(750_000);
  });
});
