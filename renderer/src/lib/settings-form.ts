/**
 * The settings form: text fields in, a validated `Settings` patch out, with messages a person can act on.
 * The limits come from the contract's schema, so the form and the node can never disagree.
 */
import { settingsSchema, type Settings } from '../../../worker/api/contract.js';
import { strings } from './strings.js';

const words = strings.settings;

export interface SettingsDraft {
  sampleIntervalSeconds: string;
  workUnitSeconds: string;
  walletLockMinutes: string;
  startPaused: boolean;
  closeToTray: boolean;
  startAtLogin: boolean;
  startMinimized: boolean;
}

/** The switches of the form: each a setting as it is. */
const SWITCHES = ['startPaused', 'closeToTray', 'startAtLogin', 'startMinimized'] as const;

/** The settings this form edits; the rest (the wallet offer's answer) are set elsewhere and left alone. */
export type FormSettings = Pick<Settings, 'sampleIntervalSeconds' | 'workUnitSeconds' | 'walletLockMinutes' | (typeof SWITCHES)[number]>;
const formSchema = settingsSchema.pick({ sampleIntervalSeconds: true, workUnitSeconds: true, walletLockMinutes: true, startPaused: true, closeToTray: true, startAtLogin: true, startMinimized: true });

export type SettingsErrors = Partial<Record<keyof FormSettings, string>>;

export type SettingsValidation = { ok: true; value: FormSettings } | { ok: false; errors: SettingsErrors };

type NumericKey = 'sampleIntervalSeconds' | 'workUnitSeconds' | 'walletLockMinutes';
const UNIT: Record<NumericKey, string> = { sampleIntervalSeconds: words.units.seconds, workUnitSeconds: words.units.seconds, walletLockMinutes: words.units.minutes };

/** [min, max] the node accepts for a numeric setting. */
export function settingLimits(key: NumericKey): [number, number] {
  const field = settingsSchema.shape[key];
  return [field.minValue ?? 0, field.maxValue ?? Number.MAX_SAFE_INTEGER];
}

export function draftFrom(settings: Settings): SettingsDraft {
  return {
    sampleIntervalSeconds: String(settings.sampleIntervalSeconds),
    workUnitSeconds: String(settings.workUnitSeconds),
    walletLockMinutes: String(settings.walletLockMinutes),
    startPaused: settings.startPaused,
    closeToTray: settings.closeToTray,
    startAtLogin: settings.startAtLogin,
    startMinimized: settings.startMinimized,
  };
}

function parseWhole(key: NumericKey, text: string): { value: number } | { error: string } {
  const [min, max] = settingLimits(key);
  const unit = UNIT[key];
  const trimmed = text.trim();
  if (trimmed === '') return { error: words.enterNumber(unit, min, max) };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: words.enterNumber(unit, min, max) };
  if (!Number.isInteger(value)) return { error: words.useWhole(unit) };
  if (value < min || value > max) return { error: words.mustBeBetween(unit, min, max) };
  return { value };
}

export function validateSettings(draft: SettingsDraft): SettingsValidation {
  const errors: SettingsErrors = {};
  const numbers: Partial<Record<NumericKey, number>> = {};
  for (const key of Object.keys(UNIT) as NumericKey[]) {
    const parsed = parseWhole(key, draft[key]);
    if ('error' in parsed) errors[key] = parsed.error;
    else numbers[key] = parsed.value;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const parsed = formSchema.safeParse({ ...numbers, ...Object.fromEntries(SWITCHES.map((key) => [key, draft[key]])) });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0];
      if (typeof key === 'string' && Object.hasOwn(formSchema.shape, key)) errors[key as keyof FormSettings] ??= issue.message;
    }
    return { ok: false, errors };
  }
  return { ok: true, value: parsed.data };
}

/** Only the fields that changed, for `setSettings`. */
export function settingsPatch(current: Settings, next: FormSettings): Partial<Settings> {
  const patch: Partial<Settings> = {};
  for (const key of Object.keys(next) as (keyof FormSettings)[]) {
    if (next[key] !== current[key]) (patch as Record<string, unknown>)[key] = next[key];
  }
  return patch;
}

/**
 * Which field a node's INVALID_PARAMS message is about (the dispatcher writes `setSettings: <field>: <text>`),
 * so the error can sit under that field.
 */
export function fieldOfServerError(message: string): keyof FormSettings | null {
  const match = /setSettings: (sampleIntervalSeconds|workUnitSeconds|walletLockMinutes|startPaused)\b/.exec(message);
  return (match?.[1] as keyof FormSettings | undefined) ?? null;
}
