/**
 * The local ledger: every training session and work unit this node has done, and the user's settings, in one
 * SQLite file (`<data-dir>/ledger.sqlite`). Synchronous like better-sqlite3 itself; every statement is prepared
 * once at open.
 */
import type Database from 'better-sqlite3';
import type { Losses, Settings, WorkTotals, WorkUnit } from '../api/contract.js';
import { openConnection } from './connection.js';
import { migrate } from './migrate.js';
import { createEarningsRecords, type EarningsRecords } from './earnings.js';
import { createRewardRecords, type RewardRecords } from './rewards.js';
import { createTransactionRecords, type TransactionRecords } from './transactions.js';
import { createRoundRecords, type RoundRecords } from './rounds.js';
import { MIGRATIONS } from './migrations/index.js';
import { SQL } from './queries.js';
import { rowsFromPatch, settingsFromRows, type SettingsRow } from './settings-rows.js';
import {
  LedgerInputError,
  checkCount,
  checkId,
  checkSessionStart,
  checkWorkUnit,
  type SessionStart,
  type WorkUnitInput,
} from './validate.js';

export { startOfLocalDay } from './day.js';
export { LedgerVersionError } from './migrate.js';
export { LedgerInputError, type SessionStart, type WorkUnitInput } from './validate.js';

export interface HistoryQuery {
  limit: number;
  /** Only units with a smaller id (the previous page ended at this id). */
  beforeId?: number;
}

export interface Ledger {
  startSession(s: SessionStart): number;
  /** Idempotent: a second call keeps the first end time. */
  endSession(id: number, endedAt?: number): void;
  /** Ends every session a killed process left open, at its last unit's time; returns how many. */
  closeDanglingSessions(now: number): number;
  /** Null when the unit (same run, same first step) is already recorded; nothing is changed then. */
  recordWorkUnit(u: WorkUnitInput): WorkUnit | null;
  /** Newest first. */
  workHistory(q: HistoryQuery): WorkUnit[];
  /** All units, or those finished at or after `sinceMs` (e.g. `startOfLocalDay(Date.now())`). */
  totals(sinceMs?: number): WorkTotals;
  /** The unit of `runId` with the highest steps, where a restarted node resumes. */
  lastUnit(runId: string): WorkUnit | null;
  getSettings(): Settings;
  updateSettings(patch: Partial<Settings>): Settings;
  /** 'ok', or SQLite's list of problems, one per line. Reads every page: ≈2.4 s for a million units. */
  integrityCheck(): string;
  /** Rounds, contributions and commits (see rounds.ts). */
  readonly rounds: RoundRecords;
  /** Credits per address and the closed epochs' roots (see rewards.ts). */
  readonly rewards: RewardRecords;
  /** This node's own contributions and credits (see earnings.ts). */
  readonly earnings: EarningsRecords;
  /** The wallet's claims and sends, followed until settled (see transactions.ts). */
  readonly transactions: TransactionRecords;
  close(): void;
}

export interface LedgerOptions {
  /** Where to say that a stored setting was ignored. */
  log?: (message: string) => void;
  /** How long a write waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
}

interface WorkUnitRow {
  id: number;
  run_id: string;
  shard: number;
  step_start: number;
  step_end: number;
  samples: number;
  seconds: number;
  /** A JSON object of finite numbers (checked on the way in; the column is json_valid). */
  losses: string;
  finished_at: number;
}

/** The stored losses, keeping only finite numbers: a hand-edited ledger cannot make a unit lie about its type. */
function parseLosses(text: string): Losses {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, number] => Number.isFinite(entry[1])));
}

function toWorkUnit(r: WorkUnitRow): WorkUnit {
  return {
    id: r.id,
    runId: r.run_id,
    shard: r.shard,
    stepStart: r.step_start,
    stepEnd: r.step_end,
    samples: r.samples,
    seconds: r.seconds,
    losses: parseLosses(r.losses),
    finishedAt: r.finished_at,
  };
}

export function openLedger(path: string, options: LedgerOptions = {}): Ledger {
  const log = options.log ?? (() => {});
  const db = openConnection(path, options.busyTimeoutMs);
  try {
    migrate(db, MIGRATIONS);
    return createLedger(db, log);
  } catch (error) {
    db.close();
    throw error;
  }
}

function createLedger(db: Database.Database, log: (message: string) => void): Ledger {
  const insertSession = db.prepare<[string, string, string, string, string, number]>(SQL.insertSession);
  const endSessionStmt = db.prepare<[number, number]>(SQL.endSession);
  const closeDangling = db.prepare<{ now: number }>(SQL.closeDanglingSessions);
  const sessionExists = db.prepare<[number], 1>(SQL.sessionExists).pluck();
  const insertUnit = db.prepare<[Omit<WorkUnitInput, 'losses'> & { losses: string }]>(SQL.insertUnit);
  const history = db.prepare<[number, number], WorkUnitRow>(SQL.history);
  const totalsSince = db.prepare<[number], WorkTotals>(SQL.totalsSince);
  const lastUnitOf = db.prepare<[string], WorkUnitRow>(SQL.lastUnit);
  const settingsRows = db.prepare<[], SettingsRow>(SQL.settingsRows);
  const upsertSetting = db.prepare<[string, string, number]>(SQL.upsertSetting);
  const writeSettings = db.transaction((rows: SettingsRow[], now: number) => {
    for (const row of rows) upsertSetting.run(row.key, row.value, now);
  });

  const getSettings = (): Settings => settingsFromRows(settingsRows.all(), log);

  return {
    startSession(s) {
      checkSessionStart(s);
      const startedAt = s.startedAt ?? Date.now();
      return Number(insertSession.run(s.runId, s.model, s.dataset, s.backend, s.nodeId, startedAt).lastInsertRowid);
    },
    endSession(id, endedAt = Date.now()) {
      checkCount('endSession', 'endedAt', endedAt);
      if (endSessionStmt.run(endedAt, id).changes === 0) {
        throw new LedgerInputError(`endSession: no session with id ${id}`);
      }
    },
    closeDanglingSessions(now) {
      checkCount('closeDanglingSessions', 'now', now);
      return closeDangling.run({ now }).changes;
    },
    recordWorkUnit(u) {
      checkWorkUnit(u);
      // Checked here rather than left to the foreign key, whose error does not say which key failed.
      if (u.sessionId !== null && sessionExists.get(u.sessionId) === undefined) {
        throw new LedgerInputError(`work unit: no session with id ${u.sessionId}`);
      }
      const losses = JSON.stringify(u.losses);
      const { changes, lastInsertRowid } = insertUnit.run({ ...u, losses });
      if (changes === 0) return null; // already recorded
      // The stored values are exactly these: integers are checked safe, and REAL columns keep every double.
      return toWorkUnit({
        id: Number(lastInsertRowid),
        run_id: u.runId,
        shard: u.shard,
        step_start: u.stepStart,
        step_end: u.stepEnd,
        samples: u.samples,
        seconds: u.seconds,
        losses,
        finished_at: u.finishedAt,
      });
    },
    workHistory({ limit, beforeId }) {
      if (!Number.isSafeInteger(limit) || limit < 1) {
        throw new LedgerInputError(`workHistory: limit must be a positive integer, got ${limit}`);
      }
      if (beforeId !== undefined) checkCount('workHistory', 'beforeId', beforeId);
      return history.all(beforeId ?? Number.MAX_SAFE_INTEGER, limit).map(toWorkUnit);
    },
    totals(sinceMs = 0) {
      if (!Number.isFinite(sinceMs)) throw new LedgerInputError(`totals: sinceMs must be finite, got ${sinceMs}`);
      return totalsSince.get(sinceMs)!;
    },
    lastUnit(runId) {
      checkId('lastUnit', 'runId', runId);
      const row = lastUnitOf.get(runId);
      return row ? toWorkUnit(row) : null;
    },
    rounds: createRoundRecords(db),
    rewards: createRewardRecords(db),
    earnings: createEarningsRecords(db),
    transactions: createTransactionRecords(db),
    getSettings,
    updateSettings(patch) {
      writeSettings(rowsFromPatch(patch), Date.now());
      return getSettings();
    },
    integrityCheck() {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).join('\n');
    },
    close() {
      if (!db.open) return;
      // Lets SQLite refresh its planner statistics where they went stale; cheap, and the docs advise it.
      db.pragma('optimize');
      db.close();
    },
  };
}
