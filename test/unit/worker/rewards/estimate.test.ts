import { describe, expect, it } from 'vitest';
import { DEFAULT_EMISSION, roundEmission } from '../../../../worker/rewards/emission.js';
import { estimateDailyWei, type RecentRound } from '../../../../worker/rewards/estimate.js';

const MINUTE = 60_000;
/** `count` back-to-back rounds of `minutes` each, every one accepting `accepted`. */
const rounds = (count: number, minutes: number, accepted: number, mine = false): RecentRound[] =>
  Array.from({ length: count }, (_, i) => ({ round: i, openedAt: i * minutes * MINUTE, closedAt: (i + 1) * minutes * MINUTE, accepted, mine }));
const perRound = roundEmission(DEFAULT_EMISSION, 0);

describe('estimateDailyWei', () => {
  it("is a round's emission × rounds a day × an even share, counting this peer as one more when it is new", () => {
    // 2-minute rounds: 720 a day; three contributors a round, so a newcomer would be the fourth.
    const estimate = estimateDailyWei(DEFAULT_EMISSION, rounds(10, 2, 3), 1)!;
    expect(estimate).toMatchObject({ rounds: 10, contributors: 3 });
    expect(estimate.roundsPerDay).toBeCloseTo(720, 6);
    expect(BigInt(estimate.weiPerDay)).toBe(((perRound * 2_500n) / 10_000n) * 720n);
    // Already one of the three: a third, capped at a quarter of a round.
    expect(BigInt(estimateDailyWei(DEFAULT_EMISSION, rounds(10, 2, 3, true), 1)!.weiPerDay)).toBe(((perRound * 2_500n) / 10_000n) * 720n);
    // Among 9: a tenth.
    expect(BigInt(estimateDailyWei(DEFAULT_EMISSION, rounds(10, 2, 9), 1)!.weiPerDay)).toBe(((perRound * 1_000n) / 10_000n) * 720n);
  });

  it("never promises more than the cap a newcomer's reputation allows", () => {
    // Alone: the whole round, but a newcomer takes at most half the run's quarter.
    const alone = estimateDailyWei(DEFAULT_EMISSION, rounds(5, 1, 1, true), 0)!;
    expect(BigInt(alone.weiPerDay)).toBe(((perRound * 1_250n) / 10_000n) * 1440n);
    const reputed = estimateDailyWei(DEFAULT_EMISSION, rounds(5, 1, 1, true), 1)!;
    expect(BigInt(reputed.weiPerDay)).toBe(BigInt(alone.weiPerDay) * 2n);
  });

  it('follows the pace: rounds that close twice as fast earn twice as much a day', () => {
    const slow = BigInt(estimateDailyWei(DEFAULT_EMISSION, rounds(6, 4, 5), 1)!.weiPerDay);
    const fast = BigInt(estimateDailyWei(DEFAULT_EMISSION, rounds(6, 2, 5), 1)!.weiPerDay);
    expect(fast).toBe(slow * 2n);
  });

  it('says nothing from too little: fewer than three committed rounds, or rounds nobody got into', () => {
    expect(estimateDailyWei(DEFAULT_EMISSION, rounds(2, 2, 3), 1)).toBeNull();
    expect(estimateDailyWei(DEFAULT_EMISSION, rounds(5, 2, 0), 1)).toBeNull();
    expect(estimateDailyWei(DEFAULT_EMISSION, rounds(5, 2, 3).map((r) => ({ ...r, closedAt: null })), 1)).toBeNull();
  });
});
