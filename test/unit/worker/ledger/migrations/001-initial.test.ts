import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLedger, LedgerVersionError } from '../../../../../worker/ledger/ledger.js';
import { migrate, schemaVersion } from '../../../../../worker/ledger/migrate.js';
import { migration001 } from '../../../../../worker/ledger/migrations/001-initial.js';
import { LEDGER_SCHEMA_VERSION } from '../../../../../worker/ledger/migrations/index.js';
import { SESSION, tempDir, unit } from '../fixtures.js';

const columns = (db: Database.Database, table: string): string[] =>
  db.prepare<[string], string>('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all(table);
const indexColumns = (db: Database.Database, index: string): string[] =>
  db.prepare<[string], string>('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(index);

const INSERT_UNIT = `INSERT INTO work_units
  (session_id, run_id, shard, step_start, step_end, samples, seconds, d_loss, g_loss, finished_at)
  VALUES (NULL, 'r', @shard, @start, @end, @samples, @seconds, @d, 0.5, 100)`;
const good = { shard: 0, start: 0, end: 10, samples: 64, seconds: 1.5, d: 0.5 };

describe('migration 001 (initial)', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, [migration001]);
  });
  afterEach(() => db.close());

  it('creates the three tables and is version 1', () => {
    expect(schemaVersion(db)).toBe(1);
    expect(columns(db, 'sessions')).toEqual([
      'id', 'run_id', 'model', 'dataset', 'backend', 'node_id', 'started_at', 'ended_at',
    ]);
    expect(columns(db, 'work_units')).toEqual([
      'id', 'session_id', 'run_id', 'shard', 'step_start', 'step_end', 'samples', 'seconds', 'd_loss', 'g_loss',
      'finished_at',
    ]);
    expect(columns(db, 'settings')).toEqual(['key', 'value', 'updated_at']);
    const strict = db.prepare<[], string>("SELECT name FROM pragma_table_list WHERE strict = 1 ORDER BY name");
    expect(strict.pluck().all()).toEqual(['sessions', 'settings', 'work_units']);
  });

  it('indexes units by (run, first step) uniquely, by finish time and by session', () => {
    const unique = db
      .prepare<[], { name: string }>("SELECT name FROM pragma_index_list('work_units') WHERE \"unique\" = 1")
      .all();
    expect(unique.map((i) => indexColumns(db, i.name))).toEqual([['run_id', 'step_start']]);
    expect(indexColumns(db, 'work_units_by_finished_at')).toEqual([
      'finished_at', 'samples', 'seconds', 'step_start', 'step_end',
    ]);
    expect(indexColumns(db, 'work_units_by_session')).toEqual(['session_id', 'finished_at']);
    const fks = db.prepare("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('work_units')").all();
    expect(fks).toEqual([{ table: 'sessions', from: 'session_id', to: 'id' }]);
  });

  it('accepts a well-formed unit', () => {
    expect(db.prepare(INSERT_UNIT).run(good).changes).toBe(1);
  });

  it.each([
    ['a step range that is empty', { end: 0 }],
    ['negative samples', { samples: -1 }],
    ['negative seconds', { seconds: -0.5 }],
    ['an infinite loss', { d: Infinity }],
    ['a NaN loss (stored as NULL)', { d: NaN }],
    ['text in an integer column', { shard: 'three' }],
    ['a fractional step', { end: 10.5 }],
  ])('rejects %s', (_, bad) => {
    expect(() => db.prepare(INSERT_UNIT).run({ ...good, ...bad })).toThrow(/constraint|cannot store/i);
  });

  it('rejects a unit of an unknown session, a duplicate unit, and a setting that is not JSON', () => {
    expect(() => db.prepare(INSERT_UNIT.replace('NULL', '42')).run(good)).toThrow(/FOREIGN KEY/);
    db.prepare(INSERT_UNIT).run(good);
    expect(() => db.prepare(INSERT_UNIT).run(good)).toThrow(/UNIQUE/);
    const setting = db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('k', ?, 0)");
    expect(() => setting.run('{not json')).toThrow(/CHECK/);
  });
});

describe('migration 001 on a file', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('preserves the data on reopen (nothing is re-applied)', () => {
    const file = tmp.path('ledger.sqlite');
    const first = openLedger(file);
    const sessionId = first.startSession(SESSION);
    first.recordWorkUnit(unit(0, { sessionId }));
    first.updateSettings({ startPaused: true });
    first.close();

    const again = openLedger(file);
    expect(again.workHistory({ limit: 10 })).toHaveLength(1);
    expect(again.getSettings().startPaused).toBe(true);
    again.close();
  });

  it('refuses to open a ledger written by a newer version', () => {
    const file = tmp.path('ledger.sqlite');
    openLedger(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${LEDGER_SCHEMA_VERSION + 1}`);
    raw.close();

    expect(() => openLedger(file)).toThrow(LedgerVersionError);
    const after = new Database(file, { readonly: true });
    expect(schemaVersion(after)).toBe(LEDGER_SCHEMA_VERSION + 1);
    after.close();
  });
});
