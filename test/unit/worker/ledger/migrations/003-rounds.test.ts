import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../../worker/ledger/migrate.js';
import { MIGRATIONS } from '../../../../../worker/ledger/migrations/index.js';

describe('migration 003 (rounds)', () => {
  it('adds the rounds and contributions tables, strict, with a contribution tied to its round', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 2));
    db.exec(`INSERT INTO work_units (session_id, run_id, shard, step_start, step_end, samples, seconds, losses, finished_at)
      VALUES (NULL, 'r', 0, 0, 10, 640, 30, '{"generator":1}', 100)`);
    migrate(db, MIGRATIONS.slice(0, 3));
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare('SELECT count(*) FROM work_units').pluck().get()).toBe(1); // earlier work untouched
    const strict = db.prepare<[], string>("SELECT name FROM pragma_table_list WHERE strict = 1 ORDER BY name").pluck().all();
    expect(strict).toEqual(expect.arrayContaining(['contributions', 'rounds']));
    const insert = db.prepare(`INSERT INTO contributions (run_id, round, hash, peer_id, own, samples, steps, losses, payload_bytes, received_at)
      VALUES ('r', 1, ?, 'peer', 0, 1, 1, '{}', 1, 1)`);
    expect(() => insert.run('a'.repeat(64))).toThrow(/FOREIGN KEY constraint failed/); // no such round
    db.exec(`INSERT INTO rounds (run_id, round, base_hash, opened_at) VALUES ('r', 1, '${'b'.repeat(64)}', 1)`);
    expect(() => insert.run('a'.repeat(64))).not.toThrow();
    expect(() => insert.run('short')).toThrow(/CHECK constraint failed/);
    db.close();
  });
});
