import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../../worker/api/contract.js';
import { parseClock, scheduleDraft, validateSchedule } from '../../../../../renderer/src/lib/schedule-form.js';

describe('the "When to train" form', () => {
  it('round-trips the settings through its draft', () => {
    const settings = { ...DEFAULT_SETTINGS, scheduleMode: 'schedule' as const, idleThresholdSeconds: 300, scheduleWindows: [{ days: [1, 2, 3, 4, 5], startMinute: 18 * 60, endMinute: 6 * 60 + 30 }] };
    const draft = scheduleDraft(settings);
    expect(draft).toMatchObject({ mode: 'schedule', idleMinutes: '5', windows: [{ days: [1, 2, 3, 4, 5], start: '18:00', end: '06:30' }], maxLoad: '50' });
    const checked = validateSchedule(draft);
    expect(checked).toEqual({ ok: true, value: expect.objectContaining({ scheduleMode: 'schedule', idleThresholdSeconds: 300, scheduleWindows: settings.scheduleWindows }) });
  });

  it('reads clock times and refuses what is not one', () => {
    expect(parseClock('7:30')).toBe(450);
    expect(parseClock(' 23:59 ')).toBe(1439);
    for (const bad of ['24:00', '7:60', '730', '7.30', '', 'noon']) expect(parseClock(bad), bad).toBeNull();
  });

  it('explains each field it refuses', () => {
    const draft = { ...scheduleDraft(DEFAULT_SETTINGS), idleMinutes: '0.05', maxTemperature: '200', maxLoad: '2.5', windows: [{ days: [], start: '18:00', end: '23:00' }, { days: [6], start: '9', end: '17:00' }] };
    const checked = validateSchedule(draft);
    expect(checked).toEqual({
      ok: false,
      errors: {
        idleMinutes: expect.stringMatching(/^Between/),
        maxTemperature: expect.stringMatching(/°C, 50 to 110/),
        maxLoad: expect.stringMatching(/percent, 5 to 100/),
        window0: 'Pick at least one day.',
        window1: 'Times like 18:00.',
      },
    });
    expect(validateSchedule({ ...scheduleDraft(DEFAULT_SETTINGS), mode: 'schedule', windows: [] })).toEqual({ ok: false, errors: { window0: expect.stringMatching(/Add a time/) } });
  });
});
