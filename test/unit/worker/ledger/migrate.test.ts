import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LedgerVersionError, migrate, schemaVersion, type Migration } from '../../../../worker/ledger/migrate.js';

const table = (version: number, name: string): Migration => ({
  version,
  name,
  up: (db) => db.exec(`CREATE TABLE ${name} (x INTEGER)`),
});
const tables = (db: Database.Database): string[] =>
  db.prepare<[], string>("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();

describe('migrate', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
  });
  afterEach(() => db.close());

  it('applies migrations in order and records the version', () => {
    const order: string[] = [];
    const tracked = (m: Migration): Migration => ({ ...m, up: (d) => (order.push(m.name), m.up(d)) });
    const applied = migrate(db, [tracked(table(1, 'a')), tracked(table(2, 'b'))]);
    expect(applied.map((m) => m.version)).toEqual([1, 2]);
    expect(order).toEqual(['a', 'b']);
    expect(schemaVersion(db)).toBe(2);
    expect(tables(db)).toEqual(['a', 'b']);
  });

  it('applies only the migrations the database lacks', () => {
    migrate(db, [table(1, 'a')]);
    expect(migrate(db, [table(1, 'a'), table(2, 'b')]).map((m) => m.name)).toEqual(['b']);
    expect(migrate(db, [table(1, 'a'), table(2, 'b')])).toEqual([]);
  });

  it('rolls a failing migration back with its version bump, keeping the earlier ones', () => {
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up: (d) => {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [table(1, 'a'), broken])).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['a']);
    // The next open retries it.
    expect(migrate(db, [table(1, 'a'), table(2, 'b')]).map((m) => m.name)).toEqual(['b']);
  });

  it('refuses a database from a newer version and leaves it untouched', () => {
    db.pragma('user_version = 3');
    expect(() => migrate(db, [table(1, 'a'), table(2, 'b')])).toThrow(LedgerVersionError);
    expect(() => migrate(db, [table(1, 'a'), table(2, 'b')])).toThrow(/schema version 3.*up to 2/);
    expect(schemaVersion(db)).toBe(3);
    expect(tables(db)).toEqual([]);
  });

  it('rejects a list with a gap or out of order', () => {
    expect(() => migrate(db, [table(1, 'a'), table(3, 'c')])).toThrow(/out of order/);
    expect(() => migrate(db, [table(2, 'b'), table(1, 'a')])).toThrow(/out of order/);
    expect(schemaVersion(db)).toBe(0);
  });
});
