import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion } from '../../../../../worker/ledger/migrate.js';
import { MIGRATIONS } from '../../../../../worker/ledger/migrations/index.js';
import { createRewardRecords } from '../../../../../worker/ledger/rewards.js';

describe('migration 006 (reward baselines)', () => {
  it("starts the totals of a run this ledger saw from round 0 at round 0; a run it joined later has none until a sync", () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 5));
    const open = db.prepare(`INSERT INTO rounds (run_id, round, base_hash, opened_at) VALUES (?, ?, '${'b'.repeat(64)}', 1)`);
    for (const round of [0, 1, 2]) open.run('from-start', round);
    for (const round of [7, 8]) open.run('joined', round);
    db.exec(`INSERT INTO contributions (run_id, round, hash, peer_id, own, reward_address, samples, steps, losses, payload_bytes, received_at, status, score, credited_wei)
      VALUES ('from-start', 1, '${'a'.repeat(64)}', 'peer', 1, '0x${'aa'.repeat(20)}', 160, 10, '{}', 1, 1, 'accepted', 1, '42'),
             ('joined', 7, '${'c'.repeat(64)}', 'peer', 1, '0x${'aa'.repeat(20)}', 160, 10, '{}', 1, 1, 'accepted', 1, '5')`);
    migrate(db, MIGRATIONS.slice(0, 6));
    expect(schemaVersion(db)).toBe(6);
    const rewards = createRewardRecords(db);
    expect(rewards.baselines('from-start')).toEqual([{ round: 0, root: `0x${'0'.repeat(64)}`, gapFrom: 0, totals: new Map() }]);
    expect(rewards.totals('from-start', 3)).toEqual(new Map([[`0x${'aa'.repeat(20)}`, 42n]]));
    expect(rewards.baselines('joined')).toEqual([]);
    expect(rewards.totals('joined', 9)).toBeNull();
    // A baseline's table goes with it.
    db.prepare('DELETE FROM reward_baselines').run();
    expect(db.prepare('SELECT count(*) FROM reward_baseline_totals').pluck().get()).toBe(0);
  });
});
