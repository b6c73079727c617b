import { describe, expect, it } from 'vitest';
import { Misbehaviour } from '../../../../worker/p2p/misbehaviour.js';

const clock = () => {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

describe('misbehaviour bans', () => {
  it('bans a peer on its limit-th strike within the window, once, until the ban ends', () => {
    const time = clock();
    const m = new Misbehaviour({ limit: 3, windowMs: 1000, banMs: 5000, now: time.now });
    expect(m.strike('a')).toBe(false);
    expect(m.strike('a')).toBe(false);
    expect(m.banned('a')).toBe(false);
    expect(m.strike('a')).toBe(true);
    expect(m.banned('a')).toBe(true);
    expect(m.strike('a')).toBe(false); // already banned: no second ban
    expect(m.banned('b')).toBe(false);
    expect(m.bannedCount()).toBe(1);
    time.advance(5000);
    expect(m.banned('a')).toBe(false);
    expect(m.bannedCount()).toBe(0);
    expect(m.banCount).toBe(1);
  });

  it('forgets strikes older than the window, so a rare bad message never adds up to a ban', () => {
    const time = clock();
    const m = new Misbehaviour({ limit: 3, windowMs: 1000, banMs: 5000, now: time.now });
    for (let i = 0; i < 50; i++) {
      expect(m.strike('a')).toBe(false);
      time.advance(600);
    }
    expect(m.banned('a')).toBe(false);
  });

  it('keeps its memory bounded however many peer ids strike', () => {
    const m = new Misbehaviour({ limit: 2, windowMs: 60_000, banMs: 60_000 });
    for (let i = 0; i < 10_000; i++) m.strike(`peer-${i}`);
    expect((m as unknown as { strikes: Map<string, unknown> }).strikes.size).toBeLessThanOrEqual(4096);
  });
});
