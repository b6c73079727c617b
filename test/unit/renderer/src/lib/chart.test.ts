import { describe, expect, it } from 'vitest';
import {
  extent,
  linearScale,
  linePath,
  nearestIndex,
  niceStep,
  niceTicks,
  tickLabel,
} from '../../../../../renderer/src/lib/chart.js';

describe('chart geometry', () => {
  it('maps a domain onto a range, including inverted ranges', () => {
    const y = linearScale([0, 2], [100, 0]);
    expect(y(0)).toBe(100);
    expect(y(1)).toBe(50);
    expect(linearScale([3, 3], [0, 10])(3)).toBe(5);
  });

  it('picks round steps', () => {
    expect([0.7, 1.3, 2.2, 4, 7, 0.03].map(niceStep)).toEqual([1, 2, 2.5, 5, 10, 0.05]);
    expect(niceStep(0)).toBe(1);
  });

  it('covers the data with round ticks', () => {
    expect(niceTicks(0.47, 1.38, 4)).toEqual([0.25, 0.5, 0.75, 1, 1.25, 1.5]);
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    const flat = niceTicks(0.7, 0.7);
    expect(flat[0]).toBeLessThan(0.7);
    expect(flat.at(-1)).toBeGreaterThan(0.7);
  });

  it('draws a path that breaks at missing values', () => {
    const identity = (v: number) => v;
    expect(linePath([0, 1, 2, 3], [5, Number.NaN, 7, 8], identity, identity)).toBe('M0.0 5.0M2.0 7.0L3.0 8.0');
    expect(linePath([], [], identity, identity)).toBe('');
  });

  it('finds the extent over several series, ignoring non-finite values', () => {
    expect(extent([3, 1, Number.NaN], [7, 2])).toEqual([1, 7]);
    expect(extent([], [Number.NaN])).toBeNull();
  });

  it('finds the nearest point for the hover read-out', () => {
    const steps = [10, 20, 30, 40];
    expect(nearestIndex(steps, 24)).toBe(1);
    expect(nearestIndex(steps, 26)).toBe(2);
    expect(nearestIndex(steps, -5)).toBe(0);
    expect(nearestIndex(steps, 99)).toBe(3);
    expect(nearestIndex([], 1)).toBe(-1);
  });

  it('labels ticks briefly', () => {
    expect([0, 0.25, 1.5, 12_500, 2_000_000].map((v) => tickLabel(v))).toEqual(['0', '0.25', '1.5', '12.5k', '2M']);
    // With the ticks' step, neighbours never read the same: 1.05 and 1.1 are not both "1.1", 1.25 is not "1.3".
    expect([1, 1.05, 1.1, 1.15].map((v) => tickLabel(v, 0.05))).toEqual(['1.00', '1.05', '1.10', '1.15']);
    expect([1, 1.25, 1.5].map((v) => tickLabel(v, 0.25))).toEqual(['1.00', '1.25', '1.50']);
    expect([0, 2.5, 5].map((v) => tickLabel(v, 2.5))).toEqual(['0', '2.5', '5.0']);
    expect([10_000, 12_500, 15_000].map((v) => tickLabel(v, 2500))).toEqual(['10.0k', '12.5k', '15.0k']);
    expect([100, 200].map((v) => tickLabel(v, 100))).toEqual(['100', '200']);
    // Every tick niceTicks makes has its own label.
    for (const [min, max] of [[1.02, 1.19], [0.5, 2.3], [0.001, 0.004], [480, 2210]] as const) {
      const ticks = niceTicks(min, max, 4);
      const labels = ticks.map((t) => tickLabel(t, ticks[1]! - ticks[0]!));
      expect(new Set(labels).size, labels.join(' ')).toBe(ticks.length);
    }
  });
});
