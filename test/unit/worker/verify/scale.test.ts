/** The history a round's scale is judged by: the values accepted in the last few rounds, newest first. */
import { describe, expect, it } from 'vitest';
import { RecentValues } from '../../../../worker/verify/scale.js';

describe('the recent accepted values', () => {
  it('keeps values by round, newest first, only within its window and only before the round asked about', () => {
    const recent = new RecentValues(2);
    recent.set(3, [30, 31]);
    recent.set(4, [40]);
    expect(recent.before(5)).toEqual([40, 31, 30]);
    expect(recent.before(4)).toEqual([31, 30]);
    // Round 3 falls out of the window when round 5 comes in.
    recent.set(5, [50, 51]);
    expect(recent.before(6)).toEqual([51, 50, 40]);
    recent.set(6, []);
    expect(recent.before(7)).toEqual([51, 50]);
  });
});
