/**
 * When the miner may train, and how hard: from what the machine says (idle time, a locked screen, battery,
 * sleep, temperature, other programs' load, a full-screen app) and what the user chose (a mode, a weekly
 * schedule, a pause until some time, quiet mode), one decision with its reason in words. Pure and
 * table-tested; the desktop app feeds it the OS's signals, a headless node what a headless machine can know
 * (load, temperature, the clock).
 *
 * The checks run in the order a person would give them: a sleeping machine and the user's pause for a while
 * first, then what protects the machine (battery, heat), then what protects the user (a game in front, their
 * use of the computer or, in idle mode, their busy programs), then the schedule. The user's indefinite Pause
 * is the node's own (state.ts), above all of this. Load and heat have a margin before training comes
 * back, so the miner does not flap on and off at the limit.
 */

import type { ScheduleReason } from '../api/contract/node.js';
import type { Settings, TimeWindow } from '../api/contract/settings.js';

/** The settings the scheduler reads (the user's, from the ledger). */
export type SchedulerSettings = Pick<
  Settings,
  'scheduleMode' | 'idleThresholdSeconds' | 'scheduleWindows' | 'pauseUntil' | 'quietMode' | 'pauseOnBattery' | 'pauseWhenFullscreen' | 'maxTemperatureC' | 'maxOtherLoadPercent'
>;

/** What the machine says now; null where this machine cannot tell (a headless rig has no idle time). */
export interface Signals {
  now: number;
  /** Local weekday (0 = Sunday) and minute of the day. */
  localDay: number;
  localMinute: number;
  idleSeconds: number | null;
  screenLocked: boolean | null;
  onBattery: boolean | null;
  /** Between the OS's suspend and resume. */
  suspended: boolean;
  temperatureC: number | null;
  /** The CPU share other programs use (0–1 of all cores), the miner's own excluded. */
  otherLoad: number | null;
  fullscreen: boolean | null;
}

export type { ScheduleReason };

export interface Decision {
  train: boolean;
  /** The duty cycle to train at (1 = flat out); 0 when not training. */
  intensity: number;
  /** paused: held back by something; waiting: for idle time or the schedule, as asked. */
  state: 'training' | 'paused' | 'waiting';
  reason: ScheduleReason;
  text: string;
  /** What the text says in numbers, for a UI to word it: the end of a pause for a while, the heat that holds. */
  until?: number;
  temperatureC?: number;
}

/** Degrees below the limit where training goes gentle, and heat/load must fall below the limit to resume. */
export const WARM_MARGIN_C = 5;
export const COOL_DOWN_C = 3;
export const LOAD_MARGIN = 0.15;

const clockOf = (minute: number) => `${String(Math.floor(minute / 60) % 24).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** Whether a minute of a weekday is inside a window (an overnight window belongs to the day it starts). */
export function inWindow(window: TimeWindow, day: number, minute: number): boolean {
  if (window.startMinute === window.endMinute) return window.days.includes(day);
  if (window.startMinute < window.endMinute) return window.days.includes(day) && minute >= window.startMinute && minute < window.endMinute;
  const yesterday = (day + 6) % 7;
  return (window.days.includes(day) && minute >= window.startMinute) || (window.days.includes(yesterday) && minute < window.endMinute);
}

const hold = (state: 'paused' | 'waiting', reason: ScheduleReason, text: string, detail: Pick<Decision, 'until' | 'temperatureC'> = {}): Decision => ({
  train: false,
  intensity: 0,
  state,
  reason,
  text,
  ...detail,
});

/** The decision for now; `previous` (the last decision) gives heat and load their margin before resuming. */
export function decide(settings: SchedulerSettings, signals: Signals, previous?: Decision): Decision {
  if (signals.suspended) return hold('paused', 'suspended', 'Paused: the computer is asleep');
  if (settings.pauseUntil !== null && settings.pauseUntil > signals.now) {
    const minutes = Math.ceil((settings.pauseUntil - signals.now) / 60_000);
    const text = minutes >= 24 * 60 ? `Paused by you for ${Math.round(minutes / (24 * 60))} days` : `Paused by you until ${clockOf((signals.localMinute + minutes) % (24 * 60))}`;
    return hold('paused', 'paused-until', text, { until: settings.pauseUntil });
  }
  if (settings.pauseOnBattery && signals.onBattery) return hold('paused', 'battery', 'Paused: on battery');
  if (signals.temperatureC !== null) {
    const limit = previous?.reason === 'hot' ? settings.maxTemperatureC - COOL_DOWN_C : settings.maxTemperatureC;
    if (signals.temperatureC >= limit) return hold('paused', 'hot', `Paused: the CPU is hot (${Math.round(signals.temperatureC)} °C), cooling down`, { temperatureC: signals.temperatureC });
  }
  if (settings.pauseWhenFullscreen && signals.fullscreen) return hold('paused', 'fullscreen', 'Paused: a full-screen app is in front');
  if (settings.scheduleMode === 'idle') {
    if (signals.idleSeconds !== null && !signals.screenLocked && signals.idleSeconds < settings.idleThresholdSeconds) {
      return hold('waiting', 'in-use', 'Paused: you are using the computer');
    }
    // Other programs' load is how a machine without input events (a headless rig) tells that it is in use.
    const max = settings.maxOtherLoadPercent / 100;
    const limit = previous?.reason === 'busy' ? max - LOAD_MARGIN : max;
    if (signals.otherLoad !== null && max < 1 && signals.otherLoad > limit) return hold('paused', 'busy', 'Paused: other programs are busy');
  }
  if (settings.scheduleMode === 'schedule' && !settings.scheduleWindows.some((window) => inWindow(window, signals.localDay, signals.localMinute))) {
    return hold('waiting', 'outside-schedule', 'Waiting: outside your schedule');
  }
  const warm = signals.temperatureC !== null && signals.temperatureC >= settings.maxTemperatureC - WARM_MARGIN_C;
  const intensity = (settings.quietMode ? 0.5 : 1) * (warm ? 0.5 : 1);
  const text = warm ? `Training gently: the CPU is warm (${Math.round(signals.temperatureC!)} °C)` : settings.quietMode ? 'Training quietly' : 'Training';
  return { train: true, intensity, state: 'training', reason: 'running', text };
}
