/**
 * Migration 4: rewards. Each round's emission and what of it nobody could take; each accepted contribution's
 * credit; each closed epoch's reward root. Amounts are wei as decimal text: they pass SQLite's 64-bit
 * integers (2,850 AIRT is 2.85e21 wei), and they are summed as bigints, never as floats. Existing rows keep
 * everything; their new columns stay NULL (rounds before this build earned nothing here).
 */
import type { Migration } from '../migrate.js';
import { weiCheck } from './checks.js';

const WEI = weiCheck;

export const migration004: Migration = {
  version: 4,
  name: 'rewards',
  up(db) {
    db.exec(`
      ALTER TABLE rounds ADD COLUMN emission_wei TEXT CHECK (${WEI('emission_wei')});
      ALTER TABLE rounds ADD COLUMN unallocated_wei TEXT CHECK (${WEI('unallocated_wei')});
      ALTER TABLE contributions ADD COLUMN credited_wei TEXT CHECK (${WEI('credited_wei')});

      CREATE TABLE epochs (
        run_id     TEXT    NOT NULL CHECK (length(run_id) > 0),
        epoch      INTEGER NOT NULL CHECK (epoch >= 0),
        -- The first round after the epoch: its totals are of the rounds before this one.
        end_round  INTEGER NOT NULL CHECK (end_round > 0),
        -- The Merkle root of every address's cumulative total up to this epoch's end (0x-hex).
        root       TEXT    NOT NULL CHECK (length(root) = 66),
        total_wei  TEXT    NOT NULL CHECK (${WEI('total_wei')}),
        addresses  INTEGER NOT NULL CHECK (addresses >= 0),
        closed_at  INTEGER NOT NULL CHECK (closed_at >= 0),
        PRIMARY KEY (run_id, epoch)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
