/**
 * The ledger's reward table: every address's credits summed over the rounds of a run (as bigints: the
 * column is decimal text), and the epochs closed with their Merkle roots. An epoch's row is written once and
 * never changes.
 *
 * Totals start from a baseline (migration 6): the table a state sync brought for the round it synced to, or
 * round 0's empty one for a peer that was there from the start. The totals before a round are the latest
 * baseline at or before it plus the credits recorded since. With no baseline at or before it (the peer joined
 * later), or with a later sync's gap reaching below it (rounds whose credits this ledger never saw), this
 * ledger cannot know them and says so with null.
 */
import type Database from 'better-sqlite3';
import { LedgerInputError, checkCount, checkId } from './validate.js';

export interface EpochRecord {
  epoch: number;
  /** The first round after the epoch: the totals are of the rounds before it. */
  endRound: number;
  root: string;
  totalWei: string;
  addresses: number;
  closedAt: number;
}

export interface CreditRow {
  round: number;
  hash: string;
  peerId: string;
  own: boolean;
  address: string | null;
  wei: string;
}

export interface RewardRecords {
  /** Address → cumulative wei credited in rounds before `untilRound`; null when this ledger lacks the history. */
  totals(runId: string, untilRound: number): Map<string, bigint> | null;
  /**
   * Records `totals` as the table before `round` (replacing one recorded there before): what a sync to that
   * round brought, checked against `root`, or round 0's empty table.
   */
  setBaseline(runId: string, round: number, root: string, totals: ReadonlyMap<string, bigint>, setAt: number): void;
  /** Every baseline of the run, oldest first, with the root it was checked against and the gap before it. */
  baselines(runId: string): Array<{ round: number; root: string; gapFrom: number; totals: Map<string, bigint> }>;
  /** Credited contributions in rounds [from, to), oldest first. */
  credits(runId: string, from: number, to: number): CreditRow[];
  /** Wei emitted for rounds [from, to) and what of it nobody could take. */
  emitted(runId: string, from: number, to: number): { emission: bigint; unallocated: bigint };
  /** Records a closed epoch; false if it was already closed (with the same root) — another root throws. */
  closeEpoch(runId: string, record: EpochRecord): boolean;
  epoch(runId: string, epoch: number): EpochRecord | null;
  epochs(runId: string): EpochRecord[];
}

function checkRoot(what: string, root: string): void {
  if (!/^0x[0-9a-f]{64}$/.test(root)) throw new LedgerInputError(`${what}: the root must be 0x and 64 lowercase hex digits`);
}

export function createRewardRecords(db: Database.Database): RewardRecords {
  const credited = db.prepare<[string, number, number], { address: string; wei: string }>(
    `SELECT reward_address AS address, credited_wei AS wei FROM contributions
      WHERE run_id = ? AND round >= ? AND round < ? AND status = 'accepted' AND credited_wei IS NOT NULL AND reward_address IS NOT NULL`,
  );
  const baselineBefore = db.prepare<[string, number], number>('SELECT round FROM reward_baselines WHERE run_id = ? AND round <= ? ORDER BY round DESC LIMIT 1').pluck();
  const gapAcross = db.prepare<[string, number, number], number>('SELECT 1 FROM reward_baselines WHERE run_id = ? AND gap_from < ? AND round > ? LIMIT 1').pluck();
  // Rounds after the last commit recorded before `round` may have been committed without this ledger.
  const gapFrom = db.prepare<[string, number], number | null>(
    'SELECT max(round) + 1 FROM rounds WHERE run_id = ? AND round < ? AND emission_wei IS NOT NULL',
  ).pluck();
  const baselineTotals = db.prepare<[string, number], { address: string; wei: string }>('SELECT address, wei FROM reward_baseline_totals WHERE run_id = ? AND round = ?');
  const baselineRows = db.prepare<[string], { round: number; root: string; gapFrom: number }>(
    'SELECT round, root, gap_from AS gapFrom FROM reward_baselines WHERE run_id = ? ORDER BY round',
  );
  const dropBaseline = db.prepare('DELETE FROM reward_baselines WHERE run_id = ? AND round = ?');
  const insertBaseline = db.prepare('INSERT INTO reward_baselines (run_id, round, root, gap_from, set_at) VALUES (?, ?, ?, ?, ?)');
  const insertBaselineTotal = db.prepare('INSERT INTO reward_baseline_totals (run_id, round, address, wei) VALUES (?, ?, ?, ?)');
  const tableAt = (runId: string, round: number) => {
    const totals = new Map<string, bigint>();
    for (const { address, wei } of baselineTotals.iterate(runId, round)) totals.set(address, BigInt(wei));
    return totals;
  };
  const setBaseline = db.transaction((runId: string, round: number, root: string, totals: ReadonlyMap<string, bigint>, setAt: number) => {
    dropBaseline.run(runId, round);
    insertBaseline.run(runId, round, root, Math.min(round, gapFrom.get(runId, round) ?? 0), setAt);
    for (const [address, wei] of totals) if (wei > 0n) insertBaselineTotal.run(runId, round, address, wei.toString());
  });
  const creditRows = db.prepare<[string, number, number], Omit<CreditRow, 'own'> & { own: number }>(
    `SELECT round, hash, peer_id AS peerId, own, reward_address AS address, credited_wei AS wei FROM contributions
      WHERE run_id = ? AND round >= ? AND round < ? AND credited_wei IS NOT NULL ORDER BY round, hash`,
  );
  const emittedRows = db.prepare<[string, number, number], { emission: string; unallocated: string }>(
    `SELECT emission_wei AS emission, unallocated_wei AS unallocated FROM rounds
      WHERE run_id = ? AND round >= ? AND round < ? AND emission_wei IS NOT NULL`,
  );
  const insertEpoch = db.prepare(`INSERT INTO epochs (run_id, epoch, end_round, root, total_wei, addresses, closed_at) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, epoch) DO NOTHING`);
  const epochRow = db.prepare<[string, number], EpochRecord>(
    'SELECT epoch, end_round AS endRound, root, total_wei AS totalWei, addresses, closed_at AS closedAt FROM epochs WHERE run_id = ? AND epoch = ?',
  );
  const epochRows = db.prepare<[string], EpochRecord>(
    'SELECT epoch, end_round AS endRound, root, total_wei AS totalWei, addresses, closed_at AS closedAt FROM epochs WHERE run_id = ? ORDER BY epoch',
  );

  return {
    totals(runId, untilRound) {
      checkId('rewards', 'runId', runId);
      checkCount('rewards', 'untilRound', untilRound);
      const from = baselineBefore.get(runId, untilRound);
      if (from === undefined || gapAcross.get(runId, untilRound, untilRound) !== undefined) return null;
      const totals = tableAt(runId, from);
      for (const { address, wei } of credited.iterate(runId, from, untilRound)) totals.set(address, (totals.get(address) ?? 0n) + BigInt(wei));
      return totals;
    },
    setBaseline(runId, round, root, totals, setAt) {
      checkId('baseline', 'runId', runId);
      checkCount('baseline', 'round', round);
      checkRoot('baseline', root);
      checkCount('baseline', 'setAt', setAt);
      for (const [address, wei] of totals) {
        if (!/^0x[0-9a-f]{40}$/.test(address)) throw new LedgerInputError(`baseline: ${JSON.stringify(address)} is not a lowercase 0x address`);
        if (typeof wei !== 'bigint' || wei < 0n) throw new LedgerInputError(`baseline: the total of ${address} must be whole wei`);
      }
      setBaseline(runId, round, root, totals, setAt);
    },
    baselines(runId) {
      return baselineRows.all(runId).map((row) => ({ ...row, totals: tableAt(runId, row.round) }));
    },
    credits(runId, from, to) {
      return creditRows.all(runId, from, to).map((row) => ({ ...row, own: row.own === 1 }));
    },
    emitted(runId, from, to) {
      let emission = 0n;
      let unallocated = 0n;
      for (const row of emittedRows.iterate(runId, from, to)) {
        emission += BigInt(row.emission);
        unallocated += BigInt(row.unallocated);
      }
      return { emission, unallocated };
    },
    closeEpoch(runId, record) {
      checkId('epoch', 'runId', runId);
      checkCount('epoch', 'epoch', record.epoch);
      checkCount('epoch', 'endRound', record.endRound);
      checkRoot('epoch', record.root);
      if (!/^(0|[1-9][0-9]{0,77})$/.test(record.totalWei)) throw new LedgerInputError('epoch: the total must be whole wei in decimal');
      checkCount('epoch', 'addresses', record.addresses);
      checkCount('epoch', 'closedAt', record.closedAt);
      if (insertEpoch.run(runId, record.epoch, record.endRound, record.root, record.totalWei, record.addresses, record.closedAt).changes === 1) return true;
      const existing = epochRow.get(runId, record.epoch)!;
      if (existing.root !== record.root) throw new LedgerInputError(`epoch ${record.epoch} was closed with root ${existing.root}, not ${record.root}`);
      return false;
    },
    epoch(runId, epoch) {
      return epochRow.get(runId, epoch) ?? null;
    },
    epochs(runId) {
      return epochRows.all(runId);
    },
  };
}
