/**
 * Settings as stored (one row per key, value as JSON) ⇄ `Settings`.
 *
 * Reading never fails: a row this build does not know (written by a newer build, or a setting since removed)
 * or cannot accept (bad JSON, out of range) is skipped and the default stands, so a damaged settings row can
 * never stop the node from starting.
 */
import { z } from 'zod';
import { DEFAULT_SETTINGS, settingsSchema, type Settings } from '../api/contract.js';
import { LedgerInputError } from './validate.js';

export interface SettingsRow {
  key: string;
  value: string;
}

const fields: Record<string, z.ZodType> = settingsSchema.shape;
const patchSchema = settingsSchema.partial().strict();

export function settingsFromRows(rows: readonly SettingsRow[], log: (message: string) => void = () => {}): Settings {
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const row of rows) {
    const field = Object.hasOwn(fields, row.key) ? fields[row.key] : undefined;
    if (!field) continue; // not ours to interpret; left in place for the build that wrote it
    let value: unknown;
    try {
      value = JSON.parse(row.value);
    } catch {
      log(`ledger: setting '${row.key}' is not JSON; using the default`);
      continue;
    }
    const parsed = field.safeParse(value);
    if (parsed.success) merged[row.key] = parsed.data;
    else log(`ledger: stored setting '${row.key}' = ${row.value} is invalid; using the default`);
  }
  return settingsSchema.parse(merged);
}

/** Validates a patch and returns the rows to upsert. Throws `LedgerInputError` naming the bad fields. */
export function rowsFromPatch(patch: Partial<Settings>): SettingsRow[] {
  const parsed = patchSchema.safeParse(patch);
  if (!parsed.success) throw new LedgerInputError(`invalid settings: ${z.prettifyError(parsed.error)}`);
  return Object.entries(parsed.data)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ({ key, value: JSON.stringify(value) }));
}
