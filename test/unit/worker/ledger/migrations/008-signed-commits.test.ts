import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../../worker/ledger/migrate.js';
import { MIGRATIONS } from '../../../../../worker/ledger/migrations/index.js';
import { createRoundRecords } from '../../../../../worker/ledger/rounds.js';

describe('migration 008 (signed commits)', () => {
  it('keeps every round; those recorded before it have no signed commit, and an empty one is refused', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 7));
    db.prepare(`INSERT INTO rounds (run_id, round, base_hash, model_hash, opened_at) VALUES ('run', 4, '${'b'.repeat(64)}', '${'c'.repeat(64)}', 1)`).run();
    migrate(db, MIGRATIONS.slice(0, 8));
    expect(schemaVersion(db)).toBe(8);
    const rounds = createRoundRecords(db);
    expect(rounds.hashes('run', 4)).toEqual({ baseHash: 'b'.repeat(64), modelHash: 'c'.repeat(64) });
    expect(rounds.signedCommit('run', 4)).toBeNull();
    expect(() => db.prepare("UPDATE rounds SET commit_bytes = x''").run()).toThrow(/CHECK constraint/);
  });
});
