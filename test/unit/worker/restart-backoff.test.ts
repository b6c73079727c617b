import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRestartBackoff } from '../../../worker/restart-backoff.js';

describe('createRestartBackoff', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('doubles the delay on quick failures, up to the cap', () => {
    const backoff = createRestartBackoff({ initialMs: 100, maxMs: 500, stableMs: 10_000 });
    const delays = [];
    for (let i = 0; i < 5; i++) {
      backoff.started();
      vi.advanceTimersByTime(50);
      delays.push(backoff.nextDelay());
    }
    expect(delays).toEqual([100, 200, 400, 500, 500]);
  });

  it('starts over after a run long enough to count as healthy', () => {
    const backoff = createRestartBackoff({ initialMs: 100, maxMs: 500, stableMs: 10_000 });
    backoff.started();
    expect(backoff.nextDelay()).toBe(100);
    backoff.started();
    expect(backoff.nextDelay()).toBe(200);
    backoff.started();
    vi.advanceTimersByTime(10_000);
    expect(backoff.nextDelay()).toBe(100);
  });
});
