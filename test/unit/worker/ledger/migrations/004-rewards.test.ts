import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../../worker/ledger/migrate.js';
import { MIGRATIONS } from '../../../../../worker/ledger/migrations/index.js';

describe('migration 004 (rewards)', () => {
  it('keeps every round and contribution, adds wei columns that take only whole decimal wei, and the epochs', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 3));
    db.exec(`INSERT INTO rounds (run_id, round, base_hash, opened_at) VALUES ('r', 1, '${'b'.repeat(64)}', 1)`);
    db.exec(`INSERT INTO contributions (run_id, round, hash, peer_id, own, samples, steps, losses, payload_bytes, received_at, status, score)
      VALUES ('r', 1, '${'a'.repeat(64)}', 'peer', 1, 160, 10, '{}', 1, 1, 'accepted', 0.5)`);
    migrate(db, MIGRATIONS.slice(0, 4));
    expect(schemaVersion(db)).toBe(4);
    expect(db.prepare('SELECT status, score, credited_wei FROM contributions').get()).toEqual({ status: 'accepted', score: 0.5, credited_wei: null });
    const credit = db.prepare('UPDATE contributions SET credited_wei = ?');
    for (const good of ['0', '1', '2850000000000000000000', '9'.repeat(78)]) expect(() => credit.run(good), good).not.toThrow();
    for (const bad of ['', '01', '-1', '1.5', '1e18', ' 1', '9'.repeat(79)]) expect(() => credit.run(bad), bad).toThrow(/CHECK constraint failed/);
    const epoch = db.prepare('INSERT INTO epochs (run_id, epoch, end_round, root, total_wei, addresses, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    expect(() => epoch.run('r', 0, 30, `0x${'c'.repeat(64)}`, '100', 2, 5)).not.toThrow();
    expect(() => epoch.run('r', 0, 30, `0x${'d'.repeat(64)}`, '100', 2, 5)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => epoch.run('r', 1, 60, 'short', '100', 2, 5)).toThrow(/CHECK constraint failed/);
    db.close();
  });
});
