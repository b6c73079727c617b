/**
 * This node's own contributions as the ledger holds them, for the Earnings page: newest first, the count by
 * what became of them, and the credited ones with when their round was committed. Reads only; the partial
 * index of migration 5 keeps these reads off the other peers' rows.
 */
import type Database from 'better-sqlite3';
import { checkCount, checkId } from './validate.js';

export interface OwnRow {
  round: number;
  hash: string;
  status: 'received' | 'accepted' | 'rejected';
  reason: string | null;
  score: number | null;
  samples: number;
  creditedWei: string | null;
  at: number;
}

export interface EarningsRecords {
  /** The newest `limit` of this node's contributions to the run. */
  own(runId: string, limit: number): OwnRow[];
  /** How many of them are in each status, rejected ones by reason. */
  counts(runId: string): Array<{ status: string; reason: string | null; count: number }>;
  /** Every credited one: its round, the wei, and when its round was committed (Unix ms). */
  credited(runId: string): Array<{ round: number; wei: string; closedAt: number }>;
}

export function createEarningsRecords(db: Database.Database): EarningsRecords {
  const own = db.prepare<[string, number], OwnRow>(
    `SELECT round, hash, status, reason, score, samples, credited_wei AS creditedWei, received_at AS at
      FROM contributions WHERE run_id = ? AND own = 1 ORDER BY round DESC, hash LIMIT ?`,
  );
  const counts = db.prepare<[string], { status: string; reason: string | null; count: number }>(
    `SELECT status, reason, count(*) AS count FROM contributions WHERE run_id = ? AND own = 1 GROUP BY status, reason`,
  );
  const credited = db.prepare<[string], { round: number; wei: string; closedAt: number }>(
    `SELECT c.round AS round, c.credited_wei AS wei, coalesce(r.closed_at, c.received_at) AS closedAt
      FROM contributions c JOIN rounds r ON r.run_id = c.run_id AND r.round = c.round
      WHERE c.run_id = ? AND c.own = 1 AND c.credited_wei IS NOT NULL ORDER BY c.round`,
  );
  return {
    own(runId, limit) {
      checkId('earnings', 'runId', runId);
      checkCount('earnings', 'limit', limit);
      return own.all(runId, limit);
    },
    counts: (runId) => counts.all(runId),
    credited: (runId) => credited.all(runId),
  };
}
