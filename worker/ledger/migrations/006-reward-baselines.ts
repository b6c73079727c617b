/**
 * Migration 6: reward baselines. A peer that joins (or resyncs) at round B downloads every address's
 * cumulative total before B with the state, checked against the root its commit carries; it holds no credits
 * of the rounds before B. A baseline is that table, so the peer's totals from B on are the baseline plus the
 * credits it records itself. A baseline row with no totals rows is an empty table (round 0's).
 *
 * A sync also leaves a gap: the rounds between the last commit this ledger recorded and the round synced to,
 * whose credits it never saw (the peer was down, partitioned or behind). Totals that would sum credits across
 * a gap are unknown, not wrong.
 *
 * A run already in the ledger whose round 0 this ledger recorded gets an empty baseline at round 0: its totals
 * are its credits, as before. A run joined later has no baseline before its first sync, so the totals of
 * epochs that ended before the peer joined are unknown to it.
 */
import type { Migration } from '../migrate.js';

const WEI = "length(wei) BETWEEN 1 AND 78 AND wei NOT GLOB '*[^0-9]*' AND wei NOT GLOB '0*'";

export const migration006: Migration = {
  version: 6,
  name: 'reward-baselines',
  up(db) {
    db.exec(`
      CREATE TABLE reward_baselines (
        run_id  TEXT    NOT NULL CHECK (length(run_id) > 0),
        -- The first round after the table: the totals are of the rounds before this one.
        round   INTEGER NOT NULL CHECK (round >= 0),
        -- The root of the table (0x-hex), as the commit before the round names it.
        root    TEXT    NOT NULL CHECK (length(root) = 66),
        -- The first round whose credits this ledger may lack: after its last recorded commit before the sync.
        gap_from INTEGER NOT NULL CHECK (gap_from >= 0 AND gap_from <= round),
        set_at  INTEGER NOT NULL CHECK (set_at >= 0),
        PRIMARY KEY (run_id, round)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE reward_baseline_totals (
        run_id   TEXT    NOT NULL,
        round    INTEGER NOT NULL,
        address  TEXT    NOT NULL CHECK (length(address) = 42),
        wei      TEXT    NOT NULL CHECK (${WEI}),
        PRIMARY KEY (run_id, round, address),
        FOREIGN KEY (run_id, round) REFERENCES reward_baselines (run_id, round) ON DELETE CASCADE
      ) STRICT, WITHOUT ROWID;

      INSERT INTO reward_baselines (run_id, round, root, gap_from, set_at)
        SELECT DISTINCT run_id, 0, '0x' || printf('%064d', 0), 0, 0 FROM rounds WHERE round = 0;
    `);
  },
};
