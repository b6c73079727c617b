/** Opens the ledger's SQLite file with the settings every connection to it must have. */
import Database from 'better-sqlite3';

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export function openConnection(path: string, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): Database.Database {
  const db = new Database(path);
  try {
    // First, so that even switching the journal mode waits for another connection's lock instead of failing.
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // WAL: readers never block the writer (the UI reads history while the trainer records units), and a
    // commit appends to the log instead of rewriting pages in place.
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode syncs at checkpoints, not at every commit. A commit is complete once its frames are in
    // the WAL file (at least in the OS page cache), so killing the process — kill -9, a crash, the supervisor —
    // loses nothing committed: the OS still writes those pages out and the next open replays the WAL. Only an
    // OS crash or power cut can lose the last few commits, and even then the database stays consistent, never
    // corrupt. A few seconds of work records lost on a power cut is worth not fsyncing every unit.
    db.pragma('synchronous = NORMAL');
    // Off by default in SQLite, per connection: without it `work_units.session_id` would not be checked.
    db.pragma('foreign_keys = ON');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
