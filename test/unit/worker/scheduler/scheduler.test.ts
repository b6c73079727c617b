import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../worker/api/contract.js';
import { decide, inWindow, type Decision, type SchedulerSettings, type Signals } from '../../../../worker/scheduler/scheduler.js';

/** Wednesday 2026-12-02, 14:00 local. */
const NOW = Date.UTC(2026, 11, 2, 14, 0);
const idle: Signals = { now: NOW, localDay: 3, localMinute: 14 * 60, idleSeconds: 600, screenLocked: false, onBattery: false, suspended: false, temperatureC: 60, otherLoad: 0.05, fullscreen: false };
const settings = (patch: Partial<SchedulerSettings> = {}): SchedulerSettings => ({ ...DEFAULT_SETTINGS, scheduleMode: 'idle', ...patch });
const evenings = { days: [1, 2, 3, 4, 5], startMinute: 18 * 60, endMinute: 23 * 60 };
const nights = { days: [3], startMinute: 22 * 60, endMinute: 6 * 60 };

const cases: Array<[string, Partial<SchedulerSettings>, Partial<Signals>, Partial<Decision>, Decision?]> = [
  ['an idle computer trains flat out', {}, {}, { train: true, intensity: 1, reason: 'running', text: 'Training' }],
  ['the user at the keyboard holds idle mode', {}, { idleSeconds: 5 }, { train: false, state: 'waiting', reason: 'in-use', text: 'Paused: you are using the computer' }],
  ['…but not always mode', { scheduleMode: 'always' }, { idleSeconds: 5 }, { train: true, reason: 'running' }],
  ['a locked screen is idle, whatever the last input', {}, { idleSeconds: 1, screenLocked: true }, { train: true }],
  ['idle time just under the threshold still holds', { idleThresholdSeconds: 120 }, { idleSeconds: 119 }, { reason: 'in-use' }],
  ['…and at it trains', { idleThresholdSeconds: 120 }, { idleSeconds: 120 }, { train: true }],
  ['a headless rig (no idle time) trains in idle mode unless busy', {}, { idleSeconds: null, screenLocked: null, fullscreen: null, onBattery: null }, { train: true }],
  ['a headless rig with busy programs holds', {}, { idleSeconds: null, otherLoad: 0.8 }, { train: false, reason: 'busy', text: 'Paused: other programs are busy' }],
  ['asleep beats everything', { scheduleMode: 'always' }, { suspended: true, onBattery: true }, { train: false, reason: 'suspended', text: 'Paused: the computer is asleep' }],
  ['pause for an hour says until when', { scheduleMode: 'always', pauseUntil: NOW + 60 * 60_000 }, {}, { reason: 'paused-until', text: 'Paused by you until 15:00' }],
  ['a pause past midnight wraps the clock', { pauseUntil: NOW + 11 * 60 * 60_000 }, {}, { text: 'Paused by you until 01:00' }],
  ['a pause of days says days', { pauseUntil: NOW + 3 * 24 * 60 * 60_000 }, {}, { text: 'Paused by you for 3 days' }],
  ['a pause that has ended is forgotten', { pauseUntil: NOW - 1 }, {}, { train: true }],
  ['on battery pauses', {}, { onBattery: true }, { reason: 'battery', text: 'Paused: on battery' }],
  ['…unless the user allows battery', { pauseOnBattery: false }, { onBattery: true }, { train: true }],
  ['the CPU at its limit pauses', { maxTemperatureC: 90 }, { temperatureC: 90 }, { reason: 'hot', text: 'Paused: the CPU is hot (90 °C), cooling down' }],
  ['within 5 °C of the limit trains at half', { maxTemperatureC: 90 }, { temperatureC: 86 }, { train: true, intensity: 0.5, text: 'Training gently: the CPU is warm (86 °C)' }],
  ['quiet mode trains at half', { quietMode: true }, {}, { train: true, intensity: 0.5, text: 'Training quietly' }],
  ['quiet and warm: a quarter', { quietMode: true }, { temperatureC: 88 }, { intensity: 0.25 }],
  ['a full-screen app pauses even in always mode', { scheduleMode: 'always' }, { fullscreen: true }, { reason: 'fullscreen', text: 'Paused: a full-screen app is in front' }],
  ['…unless the user allows it', { scheduleMode: 'always', pauseWhenFullscreen: false }, { fullscreen: true }, { train: true }],
  ['busy programs pause idle mode', { maxOtherLoadPercent: 50 }, { otherLoad: 0.6 }, { reason: 'busy' }],
  ['…not always mode (the user asked for it)', { scheduleMode: 'always' }, { otherLoad: 0.9 }, { train: true }],
  ['…nor a limit of 100 %', { maxOtherLoadPercent: 100 }, { otherLoad: 0.99 }, { train: true }],
  ['outside the schedule waits', { scheduleMode: 'schedule', scheduleWindows: [evenings] }, {}, { train: false, state: 'waiting', reason: 'outside-schedule', text: 'Waiting: outside your schedule' }],
  ['inside the schedule trains, even with the user at the keyboard', { scheduleMode: 'schedule', scheduleWindows: [evenings] }, { localMinute: 19 * 60, idleSeconds: 1 }, { train: true }],
  ['a schedule with no windows never trains', { scheduleMode: 'schedule' }, {}, { reason: 'outside-schedule' }],
  ['the user at the keyboard outranks busy programs as the reason', {}, { idleSeconds: 1, otherLoad: 0.9 }, { reason: 'in-use' }],
  ['battery outranks heat and the schedule', { scheduleMode: 'schedule' }, { onBattery: true, temperatureC: 99 }, { reason: 'battery' }],
];

describe('the scheduler', () => {
  it.each(cases)('%s', (_name, patch, signals, expected) => {
    expect(decide(settings(patch), { ...idle, ...signals })).toMatchObject(expected);
  });

  it('lets heat and load fall below a margin before training again (no flapping at the limit)', () => {
    const hot = decide(settings(), { ...idle, temperatureC: 90 });
    expect(decide(settings(), { ...idle, temperatureC: 88 }, hot)).toMatchObject({ reason: 'hot' });
    expect(decide(settings(), { ...idle, temperatureC: 86 }, hot)).toMatchObject({ train: true, intensity: 0.5 });
    const busy = decide(settings(), { ...idle, otherLoad: 0.6 });
    expect(decide(settings(), { ...idle, otherLoad: 0.45 }, busy)).toMatchObject({ reason: 'busy' });
    expect(decide(settings(), { ...idle, otherLoad: 0.3 }, busy)).toMatchObject({ train: true });
    // Without a pause for that reason before, the plain limit applies.
    expect(decide(settings(), { ...idle, otherLoad: 0.45 })).toMatchObject({ train: true });
  });

  it('reads windows by weekday, and an overnight window as the night of the day it starts', () => {
    expect(inWindow(evenings, 3, 18 * 60)).toBe(true);
    expect(inWindow(evenings, 3, 23 * 60)).toBe(false);
    expect(inWindow(evenings, 0, 19 * 60)).toBe(false);
    expect(inWindow(nights, 3, 23 * 60)).toBe(true);
    expect(inWindow(nights, 4, 5 * 60)).toBe(true);
    expect(inWindow(nights, 4, 23 * 60)).toBe(false);
    expect(inWindow(nights, 3, 5 * 60)).toBe(false);
    expect(inWindow({ days: [6], startMinute: 0, endMinute: 0 }, 6, 777)).toBe(true);
  });
});
