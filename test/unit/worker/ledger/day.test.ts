import { afterEach, describe, expect, it } from 'vitest';
import { startOfLocalDay } from '../../../../worker/ledger/day.js';

const originalTz = process.env.TZ;
afterEach(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

describe('startOfLocalDay', () => {
  it('is local midnight of the same day', () => {
    process.env.TZ = 'Asia/Tokyo';
    const now = Date.parse('2026-11-22T01:30:00+09:00');
    expect(startOfLocalDay(now)).toBe(Date.parse('2026-11-22T00:00:00+09:00'));
    expect(startOfLocalDay(Date.parse('2026-11-22T00:00:00+09:00'))).toBe(Date.parse('2026-11-22T00:00:00+09:00'));
  });

  it('handles the days daylight-saving time starts and ends', () => {
    process.env.TZ = 'Europe/Berlin';
    // 29 March 2026 has 23 hours, 25 October 2026 has 25.
    expect(startOfLocalDay(Date.parse('2026-03-29T23:00:00+02:00'))).toBe(Date.parse('2026-03-29T00:00:00+01:00'));
    expect(startOfLocalDay(Date.parse('2026-10-25T23:30:00+01:00'))).toBe(Date.parse('2026-10-25T00:00:00+02:00'));
  });
});
