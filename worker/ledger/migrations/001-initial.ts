/**
 * Migration 1: sessions, work units and settings.
 *
 * STRICT tables make SQLite reject a value of the wrong type instead of storing it; the CHECKs repeat the
 * ledger's input validation so that no writer (including a future bug) can store a unit that breaks totals.
 */
import type { Migration } from '../migrate.js';

/** Largest finite double: `abs(x) <= MAX` is false for ±Infinity (and NaN arrives as NULL, stopped by NOT NULL). */
const MAX = '1.7976931348623157e308';

export const migration001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE sessions (
        id         INTEGER PRIMARY KEY,
        run_id     TEXT    NOT NULL CHECK (length(run_id) > 0),
        model      TEXT    NOT NULL,
        dataset    TEXT    NOT NULL,
        backend    TEXT    NOT NULL,
        node_id    TEXT    NOT NULL,
        started_at INTEGER NOT NULL CHECK (started_at >= 0),
        ended_at   INTEGER CHECK (ended_at IS NULL OR ended_at >= started_at)
      ) STRICT;

      CREATE TABLE work_units (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER REFERENCES sessions (id),
        run_id      TEXT    NOT NULL CHECK (length(run_id) > 0),
        shard       INTEGER NOT NULL CHECK (shard >= 0),
        step_start  INTEGER NOT NULL CHECK (step_start >= 0),
        step_end    INTEGER NOT NULL CHECK (step_end > step_start),
        samples     INTEGER NOT NULL CHECK (samples >= 0),
        seconds     REAL    NOT NULL CHECK (seconds >= 0 AND seconds <= ${MAX}),
        d_loss      REAL    NOT NULL CHECK (abs(d_loss) <= ${MAX}),
        g_loss      REAL    NOT NULL CHECK (abs(g_loss) <= ${MAX}),
        finished_at INTEGER NOT NULL CHECK (finished_at >= 0),
        -- A replayed unit (same run, same first step) is the same unit: the node records it at most once.
        UNIQUE (run_id, step_start)
      ) STRICT;

      -- History pages walk the rowid (id) backwards and need no index of their own.
      -- Totals since a time (today) read only this index: it covers every column they sum.
      CREATE INDEX work_units_by_finished_at
        ON work_units (finished_at, samples, seconds, step_start, step_end);
      -- Closing a dangling session looks up its last unit's time.
      CREATE INDEX work_units_by_session ON work_units (session_id, finished_at);

      CREATE TABLE settings (
        key        TEXT    PRIMARY KEY,
        value      TEXT    NOT NULL CHECK (json_valid(value)),
        updated_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
