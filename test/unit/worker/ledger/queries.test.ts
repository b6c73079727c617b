/** The ledger's reads must stay index-backed as the ledger grows to millions of units. */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../../worker/ledger/migrate.js';
import { MIGRATIONS } from '../../../../worker/ledger/migrations/index.js';
import { SQL } from '../../../../worker/ledger/queries.js';

let db: Database.Database;
beforeAll(() => {
  db = new Database(':memory:');
  migrate(db, MIGRATIONS);
  // Some rows and fresh statistics, so the planner chooses as it will on a real ledger.
  const insert = db.prepare(`INSERT INTO work_units
    (session_id, run_id, shard, step_start, step_end, samples, seconds, losses, finished_at)
    VALUES (NULL, ?, 0, ?, ? + 10, 640, 30, '{"discriminator":0.7,"generator":0.7}', ?)`);
  db.transaction(() => {
    for (let i = 0; i < 2000; i++) insert.run(`run-${i % 3}`, i * 10, i * 10, 1_000 + i * 30_000);
  })();
  db.exec('ANALYZE');
});
afterAll(() => db.close());

function plan(sql: string, ...params: unknown[]): string {
  const rows = db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(...params);
  return rows.map((r) => r.detail).join('\n');
}

describe('query plans', () => {
  it('history pages walk the primary key backwards, with no sort', () => {
    const detail = plan(SQL.history, 500, 50);
    expect(detail).toMatch(/SEARCH work_units USING INTEGER PRIMARY KEY \(rowid<\?\)/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });

  it('totals since a time read only the finished-at covering index', () => {
    expect(plan(SQL.totalsSince, 0)).toMatch(
      /SEARCH work_units USING COVERING INDEX work_units_by_finished_at \(finished_at>\?\)/,
    );
  });

  it('the last unit of a run uses the (run, first step) unique index, with no sort', () => {
    const detail = plan(SQL.lastUnit, 'run-1');
    expect(detail).toMatch(/SEARCH work_units USING INDEX sqlite_autoindex_work_units_1 \(run_id=\?\)/);
    expect(detail).not.toMatch(/TEMP B-TREE/);
  });

  it("a dangling session's last unit comes from the session index", () => {
    expect(plan(SQL.closeDanglingSessions, { now: 0 })).toMatch(
      /SEARCH work_units USING COVERING INDEX work_units_by_session \(session_id=\?\)/,
    );
  });
});
