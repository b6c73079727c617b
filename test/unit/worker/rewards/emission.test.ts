/** The mining emission: halvings, the allocation cap, and rounds that sum to their epoch exactly. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_EMISSION, emittedBefore, epochEmission, formatAirt, roundEmission, type Emission } from '../../../../worker/rewards/emission.js';

const small: Emission = { epochRounds: 3, firstEpochWei: '1000', halvingEpochs: 2, allocationWei: '3500', peerCapBps: 10_000 };

describe('the emission schedule', () => {
  it('halves every halvingEpochs epochs', () => {
    expect([0, 1, 2, 3, 4, 5].map((epoch) => epochEmission({ ...small, allocationWei: '1000000' }, epoch))).toEqual([1000n, 1000n, 500n, 500n, 250n, 250n]);
  });

  it('never mints past the allocation: the epoch that would cross it gets what is left, later ones nothing', () => {
    // 1000 + 1000 + 500 + 500 = 3000, then 250 + 250 would pass 3500 at epoch 5.
    expect([4, 5, 6, 7].map((epoch) => epochEmission(small, epoch))).toEqual([250n, 250n, 0n, 0n]);
    const capped = { ...small, allocationWei: '3400' };
    expect([4, 5, 6].map((epoch) => epochEmission(capped, epoch))).toEqual([250n, 150n, 0n]);
    expect(emittedBefore(capped, 1_000)).toBe(3400n);
  });

  it("an epoch's rounds sum to its emission to the wei (the remainder goes to its last round)", () => {
    const odd = { ...small, firstEpochWei: '1001', allocationWei: '1000000' };
    expect([0, 1, 2].map((round) => roundEmission(odd, round))).toEqual([333n, 333n, 335n]);
    for (let epoch = 0; epoch < 6; epoch++) {
      let sum = 0n;
      for (let round = epoch * 3; round < epoch * 3 + 3; round++) sum += roundEmission(odd, round);
      expect(sum).toBe(epochEmission(odd, epoch));
    }
  });

  it('emittedBefore sums the epochs before it, one halving period at a time', () => {
    const schedule = { ...DEFAULT_EMISSION, halvingEpochs: 7, firstEpochWei: '999999999999999999999' };
    let sum = 0n;
    for (let epoch = 0; epoch < 60; epoch++) {
      expect(emittedBefore(schedule, epoch)).toBe(sum);
      sum += epochEmission(schedule, epoch);
    }
  });

  it('the default run mints 49.9 M of its 50 M AIRT for mining, and reaches zero', () => {
    const total = emittedBefore(DEFAULT_EMISSION, 100 * DEFAULT_EMISSION.halvingEpochs);
    // Just under 2 × 2,850 AIRT × 8,760 epochs: each halving floors to the wei.
    expect(formatAirt(total, 0)).toBe('49,931,999');
    expect(total).toBeLessThan(2n * 2_850n * 8_760n * 10n ** 18n);
    expect(total).toBeLessThanOrEqual(BigInt(DEFAULT_EMISSION.allocationWei));
    expect(epochEmission(DEFAULT_EMISSION, 100 * DEFAULT_EMISSION.halvingEpochs)).toBe(0n);
  });

  it('formats wei as AIRT without a float', () => {
    expect(formatAirt(1_234_500_000_000_000_000n)).toBe('1.2345');
    expect(formatAirt(1n)).toBe('0');
    expect(formatAirt(1n, 18)).toBe('0.000000000000000001');
    expect(formatAirt(12_345n * 10n ** 18n)).toBe('12,345');
  });

  it('refuses rounds and epochs that are not whole numbers', () => {
    expect(() => roundEmission(small, -1)).toThrow(RangeError);
    expect(() => roundEmission(small, 1.5)).toThrow(RangeError);
    expect(() => emittedBefore(small, Number.NaN)).toThrow(RangeError);
  });
});
