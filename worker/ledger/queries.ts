/**
 * The ledger's SQL, in one place so that tests can `EXPLAIN QUERY PLAN` exactly the statements the ledger runs.
 */

export const UNIT_COLUMNS = 'id, run_id, shard, step_start, step_end, samples, seconds, losses, finished_at';

export const SQL = {
  // No RETURNING on writes: better-sqlite3's get() and run() stop stepping a RETURNING statement after its first
  // row, so it never reaches SQLITE_DONE — and SQLite runs the WAL auto-checkpoint only there, so the WAL would
  // grow without bound (test/integration/worker/ledger/wal.test.ts).
  insertSession: `INSERT INTO sessions (run_id, model, dataset, backend, node_id, started_at)
    VALUES (?, ?, ?, ?, ?, ?)`,
  // max(): the wall clock can step backwards between start and end; the session still ends, at its start.
  // coalesce(): ending twice keeps the first end.
  endSession: 'UPDATE sessions SET ended_at = coalesce(ended_at, max(started_at, ?)) WHERE id = ?',
  // A killed process never ended its session: its last unit is the last moment it is known to have worked.
  closeDanglingSessions: `UPDATE sessions SET ended_at = max(started_at, min(@now, coalesce(
      (SELECT max(finished_at) FROM work_units WHERE session_id = sessions.id), started_at)))
    WHERE ended_at IS NULL AND started_at <= @now`,
  sessionExists: 'SELECT 1 FROM sessions WHERE id = ?',
  insertUnit: `INSERT INTO work_units
      (session_id, run_id, shard, step_start, step_end, samples, seconds, losses, finished_at)
    VALUES (@sessionId, @runId, @shard, @stepStart, @stepEnd, @samples, @seconds,
      @losses, @finishedAt)
    ON CONFLICT (run_id, step_start) DO NOTHING`,
  /** Params: beforeId (exclusive), limit. */
  history: `SELECT ${UNIT_COLUMNS} FROM work_units WHERE id < ? ORDER BY id DESC LIMIT ?`,
  /** Params: sinceMs. */
  totalsSince: `SELECT count(*) AS units, coalesce(sum(step_end - step_start), 0) AS steps,
      coalesce(sum(samples), 0) AS samples, coalesce(sum(seconds), 0) AS seconds
    FROM work_units WHERE finished_at >= ?`,
  /** Params: runId. */
  lastUnit: `SELECT ${UNIT_COLUMNS} FROM work_units WHERE run_id = ? ORDER BY step_start DESC LIMIT 1`,
  settingsRows: 'SELECT key, value FROM settings',
  upsertSetting: `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
} as const;
