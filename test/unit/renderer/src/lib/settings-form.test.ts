import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../../worker/api/contract.js';
import {
  draftFrom,
  fieldOfServerError,
  settingLimits,
  settingsPatch,
  validateSettings,
} from '../../../../../renderer/src/lib/settings-form.js';

describe('settings form', () => {
  it('takes its limits from the contract', () => {
    expect(settingLimits('sampleIntervalSeconds')).toEqual([1, 600]);
    expect(settingLimits('workUnitSeconds')).toEqual([5, 3600]);
    expect(settingLimits('walletLockMinutes')).toEqual([1, 1440]);
  });

  it('accepts a valid draft', () => {
    const draft = { ...draftFrom(DEFAULT_SETTINGS), workUnitSeconds: ' 60 ', startPaused: true };
    expect(validateSettings(draft)).toEqual({
      ok: true,
      value: { sampleIntervalSeconds: 4, workUnitSeconds: 60, walletLockMinutes: 15, startPaused: true, closeToTray: true, startAtLogin: false, startMinimized: false },
    });
  });

  it('explains each invalid field', () => {
    const result = validateSettings({ sampleIntervalSeconds: '2.5', workUnitSeconds: '1', walletLockMinutes: '0', startPaused: false, closeToTray: true, startAtLogin: false, startMinimized: false });
    expect(result).toEqual({
      ok: false,
      errors: { sampleIntervalSeconds: 'Use whole seconds.', workUnitSeconds: 'Must be between 5 and 3600 seconds.', walletLockMinutes: 'Must be between 1 and 1440 minutes.' },
    });
    const empty = validateSettings({ sampleIntervalSeconds: '', workUnitSeconds: 'abc', walletLockMinutes: '1.5', startPaused: false, closeToTray: true, startAtLogin: false, startMinimized: false });
    expect(empty.ok).toBe(false);
    if (!empty.ok) {
      expect(empty.errors.sampleIntervalSeconds).toMatch(/between 1 and 600/);
      expect(empty.errors.workUnitSeconds).toMatch(/between 5 and 3600/);
      expect(empty.errors.walletLockMinutes).toBe('Use whole minutes.');
    }
  });

  it('sends only what changed', () => {
    expect(settingsPatch(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, workUnitSeconds: 90 })).toEqual({ workUnitSeconds: 90 });
    expect(settingsPatch(DEFAULT_SETTINGS, DEFAULT_SETTINGS)).toEqual({});
  });

  it('finds the field a node error is about', () => {
    expect(fieldOfServerError('setSettings: workUnitSeconds: Too big: expected number to be <=3600')).toBe('workUnitSeconds');
    expect(fieldOfServerError('setSettings: Unrecognized key')).toBeNull();
  });
});
