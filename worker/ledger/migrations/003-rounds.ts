/**
 * Migration 3: rounds. Each round this node took part in (its base model, the commit that closed it, the bytes
 * it moved) and every contribution it saw — its own and other peers', with what the commit made of them.
 * A contribution is unique per (run, round, header hash), so a replayed one is recognised, not recorded twice.
 */
import type { Migration } from '../migrate.js';

export const migration003: Migration = {
  version: 3,
  name: 'rounds',
  up(db) {
    db.exec(`
      CREATE TABLE rounds (
        run_id       TEXT    NOT NULL CHECK (length(run_id) > 0),
        round        INTEGER NOT NULL CHECK (round >= 0),
        base_hash    TEXT    NOT NULL CHECK (length(base_hash) = 64),
        -- NULL until a valid commit closes the round; a round that never gets one keeps the weights.
        model_hash   TEXT    CHECK (model_hash IS NULL OR length(model_hash) = 64),
        committed_by TEXT,
        accepted     INTEGER NOT NULL DEFAULT 0 CHECK (accepted >= 0),
        bytes_in     INTEGER NOT NULL DEFAULT 0 CHECK (bytes_in >= 0),
        bytes_out    INTEGER NOT NULL DEFAULT 0 CHECK (bytes_out >= 0),
        opened_at    INTEGER NOT NULL CHECK (opened_at >= 0),
        closed_at    INTEGER CHECK (closed_at IS NULL OR closed_at >= opened_at),
        PRIMARY KEY (run_id, round)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE contributions (
        run_id         TEXT    NOT NULL,
        round          INTEGER NOT NULL,
        hash           TEXT    NOT NULL CHECK (length(hash) = 64),
        peer_id        TEXT    NOT NULL CHECK (length(peer_id) > 0),
        own            INTEGER NOT NULL CHECK (own IN (0, 1)),
        reward_address TEXT    CHECK (reward_address IS NULL OR length(reward_address) = 42),
        samples        INTEGER NOT NULL CHECK (samples >= 0),
        steps          INTEGER NOT NULL CHECK (steps >= 0),
        losses         TEXT    NOT NULL CHECK (json_valid(losses) AND json_type(losses) = 'object'),
        payload_bytes  INTEGER NOT NULL CHECK (payload_bytes >= 0),
        status         TEXT    NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'accepted', 'rejected')),
        reason         TEXT,
        score          REAL,
        received_at    INTEGER NOT NULL CHECK (received_at >= 0),
        PRIMARY KEY (run_id, round, hash),
        FOREIGN KEY (run_id, round) REFERENCES rounds (run_id, round)
      ) STRICT, WITHOUT ROWID;

      -- A peer's history (reputation, this node's own contributions per round).
      CREATE INDEX contributions_by_peer ON contributions (peer_id, run_id, round);
    `);
  },
};
