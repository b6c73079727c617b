import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../worker/api/contract.js';
import { LedgerInputError } from '../../../../worker/ledger/ledger.js';
import { rowsFromPatch, settingsFromRows } from '../../../../worker/ledger/settings-rows.js';
import { useTempLedger } from './fixtures.js';

describe('settingsFromRows', () => {
  it('merges valid stored rows over the defaults', () => {
    const rows = [{ key: 'workUnitSeconds', value: '60' }];
    expect(settingsFromRows(rows)).toEqual({ ...DEFAULT_SETTINGS, workUnitSeconds: 60 });
  });

  it('skips unknown keys and invalid values, keeping the default, and says so for invalid ones', () => {
    const messages: string[] = [];
    const rows = [
      { key: 'fromTheFuture', value: '"x"' },
      { key: 'toString', value: '1' }, // an Object.prototype name is not a setting either
      { key: 'workUnitSeconds', value: '1' }, // below the minimum
      { key: 'sampleIntervalSeconds', value: '"4"' }, // wrong type
      { key: 'startPaused', value: '{broken' }, // not JSON
    ];
    expect(settingsFromRows(rows, (m) => messages.push(m))).toEqual(DEFAULT_SETTINGS);
    expect(messages).toHaveLength(3);
  });
});

describe('rowsFromPatch', () => {
  it('turns a valid patch into JSON rows, dropping undefined fields', () => {
    expect(rowsFromPatch({ startPaused: true, workUnitSeconds: undefined })).toEqual([
      { key: 'startPaused', value: 'true' },
    ]);
  });

  it('rejects unknown fields and invalid values with the field named', () => {
    expect(() => rowsFromPatch({ nope: 1 } as never)).toThrow(LedgerInputError);
    expect(() => rowsFromPatch({ sampleIntervalSeconds: 0.5 })).toThrow(/sampleIntervalSeconds/);
  });
});

describe('ledger settings', () => {
  const temp = useTempLedger();

  it('starts with the defaults and keeps updates across reopen', () => {
    expect(temp.ledger.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(temp.ledger.updateSettings({ startPaused: true })).toEqual({ ...DEFAULT_SETTINGS, startPaused: true });
    expect(temp.ledger.updateSettings({ workUnitSeconds: 120 })).toEqual({
      ...DEFAULT_SETTINGS,
      startPaused: true,
      workUnitSeconds: 120,
    });
    expect(temp.reopen().getSettings()).toMatchObject({ startPaused: true, workUnitSeconds: 120 });
  });

  it('writes nothing when any field of a patch is invalid', () => {
    expect(() => temp.ledger.updateSettings({ startPaused: true, workUnitSeconds: 99_999 })).toThrow(/workUnitSeconds/);
    expect(temp.ledger.getSettings()).toEqual(DEFAULT_SETTINGS);
  });

  it('ignores a stored row that became invalid instead of failing', () => {
    const raw = new Database(temp.file);
    raw.prepare("INSERT INTO settings VALUES ('workUnitSeconds', '-5', 0), ('someday', 'true', 0)").run();
    raw.close();
    expect(temp.ledger.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(temp.ledger.updateSettings({ workUnitSeconds: 45 }).workUnitSeconds).toBe(45);
  });
});
