/**
 * Schema migrations for the ledger, tracked by `PRAGMA user_version` (0 = empty database).
 *
 * Each migration runs in its own IMMEDIATE transaction together with its version bump, so a crash or an error
 * leaves the database at the previous version with nothing half-applied, and the next open simply retries.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  /** 1, 2, 3, ... in order, no gaps: the `user_version` the database has once this migration is applied. */
  version: number;
  /** For error messages, e.g. 'initial'. */
  name: string;
  up(db: Database.Database): void;
}

/** The database was written by a newer build; opening it with this one could damage data we do not understand. */
export class LedgerVersionError extends Error {
  override name = 'LedgerVersionError';
}

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`ledger migrations out of order: #${i + 1} is '${m.name}' with version ${m.version}`);
    }
  });
}

/** Brings `db` up to the newest version in `migrations`; returns the migrations applied now. */
export function migrate(db: Database.Database, migrations: readonly Migration[]): Migration[] {
  checkOrder(migrations);
  const latest = migrations.length;
  const found = schemaVersion(db);
  if (found > latest) {
    throw new LedgerVersionError(
      `the ledger is at schema version ${found}, but this build knows versions up to ${latest}: ` +
        'it was written by a newer AIRTIST Miner. Refusing to open it; update the app.',
    );
  }
  const applied: Migration[] = [];
  for (const m of migrations.slice(found)) {
    // IMMEDIATE takes the write lock before reading the version, so two processes opening the same
    // ledger at once cannot both apply a migration: the second waits (busy_timeout), then sees it done.
    const ran = db
      .transaction(() => {
        if (schemaVersion(db) >= m.version) return false;
        m.up(db);
        db.pragma(`user_version = ${m.version}`);
        return true;
      })
      .immediate();
    if (ran) applied.push(m);
  }
  return applied;
}
