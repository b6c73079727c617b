/**
 * The ledger's reward table: every address's credits summed over the rounds of a run (as bigints: the
 * column is decimal text), and the epochs closed with their Merkle roots. Reading only what the rounds
 * records wrote; an epoch's row is written once and never changes.
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
  /** Address → cumulative wei credited in rounds before `untilRound`. */
  totals(runId: string, untilRound: number): Map<string, bigint>;
  /** Credited contributions in rounds [from, to), oldest first. */
  credits(runId: string, from: number, to: number): CreditRow[];
  /** Wei emitted for rounds [from, to) and what of it nobody could take. */
  emitted(runId: string, from: number, to: number): { emission: bigint; unallocated: bigint };
  /** Records a closed epoch; false if it was already closed (with the same root) — another root throws. */
  closeEpoch(runId: string, record: EpochRecord): boolean;
  epoch(runId: string, epoch: number): EpochRecord | null;
  epochs(runId: string): EpochRecord[];
}

export function createRewardRecords(db: Database.Database): RewardRecords {
  const credited = db.prepare<[string, number], { address: string; wei: string }>(
    `SELECT reward_address AS address, credited_wei AS wei FROM contributions
      WHERE run_id = ? AND round < ? AND status = 'accepted' AND credited_wei IS NOT NULL AND reward_address IS NOT NULL`,
  );
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
      const totals = new Map<string, bigint>();
      for (const { address, wei } of credited.iterate(runId, untilRound)) totals.set(address, (totals.get(address) ?? 0n) + BigInt(wei));
      return totals;
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
      if (!/^0x[0-9a-f]{64}$/.test(record.root)) throw new LedgerInputError('epoch: the root must be 0x and 64 lowercase hex digits');
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
