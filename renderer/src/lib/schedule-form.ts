/**
 * The "When to train" form: the scheduler's settings as the page edits them (times as "HH:MM", load as a
 * percent, the idle threshold in minutes) and back, with messages a person can act on. The limits come from
 * the contract's schema, as in the settings form.
 */
import { settingsSchema, type ScheduleMode, type Settings, type TimeWindow } from '../../../worker/api/contract.js';
import { strings } from './strings.js';

const words = strings.schedule;

/** The days' short names, Sunday first (as `Date.getDay()` counts). */
export const DAY_NAMES = words.days;
/** Monday first, as most of the world writes a week. */
export const DAY_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;

export type ScheduleSettings = Pick<Settings, 'scheduleMode' | 'idleThresholdSeconds' | 'scheduleWindows' | 'quietMode' | 'pauseOnBattery' | 'pauseWhenFullscreen' | 'maxTemperatureC' | 'maxOtherLoadPercent'>;

export interface WindowDraft {
  days: number[];
  start: string;
  end: string;
}

export interface ScheduleDraft {
  mode: ScheduleMode;
  idleMinutes: string;
  windows: WindowDraft[];
  quiet: boolean;
  battery: boolean;
  fullscreen: boolean;
  maxTemperature: string;
  maxLoad: string;
}

export type ScheduleErrors = Partial<Record<'idleMinutes' | 'maxTemperature' | 'maxLoad' | `window${number}`, string>>;

export const clockText = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** "7:30" or "07:30" → 450; null for anything else. */
export function parseClock(text: string): number | null {
  const match = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(text);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : null;
}

export function scheduleDraft(settings: ScheduleSettings): ScheduleDraft {
  return {
    mode: settings.scheduleMode,
    idleMinutes: String(Math.round(settings.idleThresholdSeconds / 6) / 10),
    windows: settings.scheduleWindows.map((window) => ({ days: [...window.days], start: clockText(window.startMinute), end: clockText(window.endMinute) })),
    quiet: settings.quietMode,
    battery: settings.pauseOnBattery,
    fullscreen: settings.pauseWhenFullscreen,
    maxTemperature: String(settings.maxTemperatureC),
    maxLoad: String(settings.maxOtherLoadPercent),
  };
}

const limits = (key: 'idleThresholdSeconds' | 'maxTemperatureC' | 'maxOtherLoadPercent') => {
  const field = settingsSchema.shape[key];
  return [field.minValue ?? 0, field.maxValue ?? Number.MAX_SAFE_INTEGER] as const;
};

/** The draft checked: the settings to save, or a message per field. */
export function validateSchedule(draft: ScheduleDraft): { ok: true; value: ScheduleSettings } | { ok: false; errors: ScheduleErrors } {
  const errors: ScheduleErrors = {};
  const [idleMin, idleMax] = limits('idleThresholdSeconds');
  const idleMinutes = Number(draft.idleMinutes.trim());
  const idleSeconds = Math.round(idleMinutes * 60);
  if (draft.idleMinutes.trim() === '' || !Number.isFinite(idleMinutes) || idleSeconds < idleMin || idleSeconds > idleMax) {
    errors.idleMinutes = words.idleProblem(idleMin / 60, idleMax / 60);
  }
  const whole = (text: string, [min, max]: readonly [number, number], unit: string) => {
    const value = Number(text.trim());
    return text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max ? value : words.wholeNumber(unit, min, max);
  };
  const temperature = whole(draft.maxTemperature, limits('maxTemperatureC'), words.units.celsius);
  if (typeof temperature === 'string') errors.maxTemperature = temperature;
  const load = whole(draft.maxLoad, limits('maxOtherLoadPercent'), words.units.percent);
  if (typeof load === 'string') errors.maxLoad = load;
  const windows: TimeWindow[] = [];
  draft.windows.forEach((window, i) => {
    const start = parseClock(window.start);
    const end = parseClock(window.end);
    if (window.days.length === 0) errors[`window${i}`] = words.pickDay;
    else if (start === null || end === null) errors[`window${i}`] = words.timesLike;
    else windows.push({ days: [...new Set(window.days)].sort((a, b) => a - b), startMinute: start, endMinute: end });
  });
  if (draft.mode === 'schedule' && draft.windows.length === 0) errors.window0 = words.addTime;
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      scheduleMode: draft.mode,
      idleThresholdSeconds: idleSeconds,
      scheduleWindows: windows,
      quietMode: draft.quiet,
      pauseOnBattery: draft.battery,
      pauseWhenFullscreen: draft.fullscreen,
      maxTemperatureC: temperature as number,
      maxOtherLoadPercent: load as number,
    },
  };
}
