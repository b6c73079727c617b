import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../../worker/ledger/migrate.js';
import { MIGRATIONS } from '../../../../../worker/ledger/migrations/index.js';

describe('migration 005 (own contributions)', () => {
  it('keeps every contribution and reads this node’s own through a partial index, not the table', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 4));
    db.exec(`INSERT INTO rounds (run_id, round, base_hash, opened_at) VALUES ('r', 1, '${'b'.repeat(64)}', 1)`);
    const insert = db.prepare(`INSERT INTO contributions (run_id, round, hash, peer_id, own, samples, steps, losses, payload_bytes, received_at)
      VALUES ('r', 1, ?, 'peer', ?, 160, 10, '{}', 1, 1)`);
    insert.run('a'.repeat(64), 1);
    insert.run('c'.repeat(64), 0);
    migrate(db, MIGRATIONS.slice(0, 5));
    expect(schemaVersion(db)).toBe(5);
    expect(db.prepare('SELECT count(*) FROM contributions').pluck().get()).toBe(2);
    const plan = db.prepare<[], { detail: string }>("EXPLAIN QUERY PLAN SELECT round FROM contributions WHERE run_id = 'r' AND own = 1 ORDER BY round DESC").all();
    expect(plan.map((row) => row.detail).join(' ')).toMatch(/USING (COVERING )?INDEX contributions_own/);
  });
});
