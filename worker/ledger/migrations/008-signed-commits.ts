/**
 * Migration 8: each round's commit as signed. A peer that synced past rounds it recorded on the losing side of
 * a fork asks other peers for the commits of those rounds (rounds/history.ts) to mend its rows; a peer answers
 * from this column. Rounds recorded before this migration have none (NULL) and are answered "unknown".
 */
import type { Migration } from '../migrate.js';

/** A signed commit's cap (rounds/messages.ts MAX_COMMIT_BYTES). */
const MAX_BYTES = 1 << 20;

export const migration008: Migration = {
  version: 8,
  name: 'signed-commits',
  up(db) {
    db.exec(`ALTER TABLE rounds ADD COLUMN commit_bytes BLOB CHECK (commit_bytes IS NULL OR length(commit_bytes) BETWEEN 1 AND ${MAX_BYTES})`);
  },
};
