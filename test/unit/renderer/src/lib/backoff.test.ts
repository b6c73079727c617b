import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../../../renderer/src/lib/backoff.js';

const middle = () => 0.5;

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap', () => {
    const delays = [0, 1, 2, 3, 4, 5, 20].map((attempt) => backoffDelay(attempt, DEFAULT_BACKOFF, middle));
    expect(delays).toEqual([500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it('spreads delays by the jitter fraction and never exceeds the cap', () => {
    const options = { initialMs: 1000, maxMs: 1500, factor: 2, jitter: 0.2 };
    expect(backoffDelay(0, options, () => 0)).toBe(800);
    expect(backoffDelay(0, options, () => 0.999999)).toBe(1200);
    expect(backoffDelay(5, options, () => 0.999999)).toBe(1500);
    expect(backoffDelay(5, options, () => 0)).toBe(1200);
  });

  it('treats nonsense attempts as the first', () => {
    expect(backoffDelay(-3, DEFAULT_BACKOFF, middle)).toBe(500);
  });
});
