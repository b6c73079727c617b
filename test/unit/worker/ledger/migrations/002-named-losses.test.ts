import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../../worker/ledger/migrate.js';
import { migration001 } from '../../../../../worker/ledger/migrations/001-initial.js';
import { migration002 } from '../../../../../worker/ledger/migrations/002-named-losses.js';

const columns = (db: Database.Database): string[] =>
  db.prepare<[], string>("SELECT name FROM pragma_table_info('work_units') ORDER BY cid").pluck().all();

describe('migration 002 (named losses)', () => {
  let db: Database.Database;
  beforeEach(() => {
    db = new Database(':memory:');
    migrate(db, [migration001]);
    const insert = db.prepare(`INSERT INTO work_units
      (session_id, run_id, shard, step_start, step_end, samples, seconds, d_loss, g_loss, finished_at)
      VALUES (NULL, 'r', 0, ?, ? + 10, 640, 30, ?, ?, 100)`);
    insert.run(0, 0, 1.25, -0.5);
    insert.run(10, 10, 0.693147180559945, 3.0e-7);
  });
  afterEach(() => db.close());

  it('keeps every unit, with its two losses now named in one JSON object', () => {
    migrate(db, [migration001, migration002]);
    expect(schemaVersion(db)).toBe(2);
    expect(columns(db)).toEqual(['id', 'session_id', 'run_id', 'shard', 'step_start', 'step_end', 'samples', 'seconds', 'finished_at', 'losses']);
    const rows = db.prepare<[], { id: number; step_start: number; losses: string }>('SELECT id, step_start, losses FROM work_units ORDER BY id').all();
    expect(rows.map((r) => [r.id, r.step_start, JSON.parse(r.losses)])).toEqual([
      [1, 0, { discriminator: 1.25, generator: -0.5 }],
      [2, 10, { discriminator: 0.693147180559945, generator: 3.0e-7 }],
    ]);
  });

  it('stores only a JSON object of losses from then on', () => {
    migrate(db, [migration001, migration002]);
    const insert = db.prepare(`INSERT INTO work_units (session_id, run_id, shard, step_start, step_end, samples, seconds, losses, finished_at)
      VALUES (NULL, 'r', 0, ?, ? + 10, 640, 30, ?, 100)`);
    expect(() => insert.run(20, 20, '{"cross_entropy": 2.5}')).not.toThrow();
    expect(() => insert.run(30, 30, 'not json')).toThrow(/CHECK constraint failed/);
    expect(() => insert.run(40, 40, '[1, 2]')).toThrow(/CHECK constraint failed/);
  });
});
