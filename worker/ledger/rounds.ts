/**
 * The ledger's record of rounds: opened with their base model, the bytes moved, every contribution seen, and
 * the commit that closed each. Synchronous like the rest of the ledger; a commit is one transaction.
 */
import type Database from 'better-sqlite3';
import type { RoundRecord } from '../api/contract.js';
import { LedgerInputError, checkCount, checkId } from './validate.js';

export interface ContributionRecord {
  runId: string;
  round: number;
  /** sha256 of the signed header. */
  hash: string;
  peerId: string;
  own: boolean;
  rewardAddress: string | null;
  samples: number;
  steps: number;
  losses: Record<string, number>;
  payloadBytes: number;
  receivedAt: number;
}

export interface CommitRecord {
  runId: string;
  round: number;
  modelHash: string;
  committedBy: string;
  accepted: Array<{ hash: string; score: number }>;
  /** Refused by the commit's signer, with why (a code of verify/reasons.ts). */
  rejected: Array<{ hash: string; reason: string }>;
  /** The round's emission split (worker/rewards/split.ts), in wei as decimal text; absent: nothing credited. */
  rewards?: { emissionWei: string; unallocatedWei: string; credits: Array<{ hash: string; wei: string }> };
  closedAt: number;
  /** The commit as its signer signed it, kept so this peer can hand it to one mending its history. */
  signed?: Uint8Array;
}

/**
 * A round this ledger recorded on the losing side of a fork, as the network's chain has it (rounds/history.ts):
 * its base, and its commit, or none when the round closed without one there.
 */
export interface MendRecord {
  runId: string;
  round: number;
  baseHash: string;
  commit: CommitRecord | null;
}

/** What the ledger holds of a round: the model it started from and the one its commit made (null: none). */
export interface RoundHashes {
  baseHash: string;
  modelHash: string | null;
}

/** A commit as a peer adopts it: its accepted contributions, the round's traffic and the commit, in one write. */
export interface AdoptionRecord {
  contributions: ContributionRecord[];
  traffic: { bytesIn: number; bytesOut: number };
  commit: CommitRecord;
}

/** A round as the ledger holds it: the API's round record, without this node's part (see `contributions`). */
export type RoundRow = Omit<RoundRecord, 'own'> & { runId: string };

export interface RoundRecords {
  /** Records the round's start from `baseHash`; a second call for the same round changes nothing. */
  open(runId: string, round: number, baseHash: string, openedAt: number): void;
  addTraffic(runId: string, round: number, bytesIn: number, bytesOut: number): void;
  /** False when the contribution was already recorded (a replay). */
  recordContribution(c: ContributionRecord): boolean;
  /** Closes the round with its commit: the accepted contributions get their scores, the others are rejected. */
  recordCommit(c: CommitRecord): void;
  /** All of an adopted commit in one transaction: nothing of it is recorded if any of it fails. */
  recordAdoption(a: AdoptionRecord): void;
  /** Rewrites rounds recorded on a fork's losing side as the network has them, all in one transaction. */
  recordMend(rounds: readonly MendRecord[]): void;
  /** The round's base and model hashes, or null when this ledger never opened it. */
  hashes(runId: string, round: number): RoundHashes | null;
  /** The round's commit as signed, or null when none was recorded with its bytes. */
  signedCommit(runId: string, round: number): Uint8Array | null;
  /** The reward address each of the round's contributions this ledger holds names (null: none). */
  rewardAddresses(runId: string, round: number): Map<string, string | null>;
  history(runId: string, limit: number): RoundRow[];
  /** The round's contributions with what the commit made of them, own first, then by hash. */
  contributions(runId: string, round: number): Array<{ hash: string; peerId: string; own: boolean; status: string; reason: string | null; score: number | null }>;
}

const HASH = /^[0-9a-f]{64}$/;
const WEI = /^(0|[1-9][0-9]{0,77})$/;
const checkWei = (what: string, value: unknown): string => {
  if (typeof value !== 'string' || !WEI.test(value)) throw new LedgerInputError(`commit: ${what}: an amount must be whole wei in decimal`);
  return value;
};
const checkHash = (what: string, field: string, value: unknown) => {
  if (typeof value !== 'string' || !HASH.test(value)) throw new LedgerInputError(`${what}: ${field} must be 64 lowercase hex digits`);
};

export function createRoundRecords(db: Database.Database): RoundRecords {
  const insertRound = db.prepare(`INSERT INTO rounds (run_id, round, base_hash, opened_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (run_id, round) DO NOTHING`);
  const traffic = db.prepare('UPDATE rounds SET bytes_in = bytes_in + ?, bytes_out = bytes_out + ? WHERE run_id = ? AND round = ?');
  const insertContribution = db.prepare(`INSERT INTO contributions
      (run_id, round, hash, peer_id, own, reward_address, samples, steps, losses, payload_bytes, received_at)
    VALUES (@runId, @round, @hash, @peerId, @own, @rewardAddress, @samples, @steps, @losses, @payloadBytes, @receivedAt)
    ON CONFLICT (run_id, round, hash) DO NOTHING`);
  const closeRound = db.prepare(`UPDATE rounds SET model_hash = ?, committed_by = ?, accepted = ?, closed_at = max(opened_at, ?), commit_bytes = ?
    WHERE run_id = ? AND round = ?`);
  // A mended round: its base as the network has it, and nothing of the commit it loses.
  const rebase = db.prepare(`UPDATE rounds SET base_hash = ?, model_hash = NULL, committed_by = NULL, accepted = 0, closed_at = NULL,
      commit_bytes = NULL, emission_wei = NULL, unallocated_wei = NULL
    WHERE run_id = ? AND round = ?`);
  const accept = db.prepare(`UPDATE contributions SET status = 'accepted', score = ?, reason = NULL WHERE run_id = ? AND round = ? AND hash = ?`);
  const credit = db.prepare(`UPDATE contributions SET credited_wei = ? WHERE run_id = ? AND round = ? AND hash = ? AND status = 'accepted'`);
  const emission = db.prepare('UPDATE rounds SET emission_wei = ?, unallocated_wei = ? WHERE run_id = ? AND round = ?');
  const reject = db.prepare(`UPDATE contributions SET status = 'rejected', score = NULL, reason = ? WHERE run_id = ? AND round = ? AND hash = ?`);
  // A second commit for a round (a better-ranked one a peer switches to) replaces everything the first said of it.
  const resetRound = db.prepare(`UPDATE contributions SET status = 'received', score = NULL, reason = NULL, credited_wei = NULL
    WHERE run_id = ? AND round = ? AND status != 'received'`);
  const rejectRest = db.prepare(`UPDATE contributions SET status = 'rejected', reason = 'not in the commit'
    WHERE run_id = ? AND round = ? AND status = 'received'`);
  const historyOf = db.prepare<[string, number], Record<string, unknown>>(`SELECT run_id AS runId, round, base_hash AS baseHash,
      model_hash AS modelHash, committed_by AS committedBy, accepted, bytes_in AS bytesIn, bytes_out AS bytesOut,
      opened_at AS openedAt, closed_at AS closedAt
    FROM rounds WHERE run_id = ? ORDER BY round DESC LIMIT ?`);

  const contributionsOf = db.prepare<[string, number], { hash: string; peerId: string; own: number; status: string; reason: string | null; score: number | null }>(
    `SELECT hash, peer_id AS peerId, own, status, reason, score FROM contributions WHERE run_id = ? AND round = ? ORDER BY own DESC, hash`,
  );
  const findRound = db.prepare('SELECT 1 FROM rounds WHERE run_id = ? AND round = ?');
  const roundExists = (what: string, runId: string, round: number) => {
    if (!findRound.get(runId, round)) throw new LedgerInputError(`${what}: round ${round} of ${runId} was never opened`);
  };

  const commit = db.transaction((c: CommitRecord) => {
    roundExists('commit', c.runId, c.round);
    resetRound.run(c.runId, c.round);
    let accepted = 0;
    for (const { hash, score } of c.accepted) {
      if (!Number.isFinite(score)) throw new LedgerInputError(`commit: the score of ${hash} must be finite`);
      accepted += accept.run(score, c.runId, c.round, hash).changes;
    }
    for (const { hash, reason } of c.rejected) {
      if (typeof reason !== 'string' || !/^[a-z-]{1,32}$/.test(reason)) throw new LedgerInputError(`commit: the reason for ${hash} is not a reason code`);
      reject.run(reason, c.runId, c.round, hash);
    }
    rejectRest.run(c.runId, c.round);
    if (c.rewards) {
      for (const { hash, wei } of c.rewards.credits) credit.run(checkWei(hash, wei), c.runId, c.round, hash);
      emission.run(checkWei('emission', c.rewards.emissionWei), checkWei('unallocated', c.rewards.unallocatedWei), c.runId, c.round);
    }
    closeRound.run(c.modelHash, c.committedBy, accepted, c.closedAt, c.signed ?? null, c.runId, c.round);
  });

  function recordCommit(c: CommitRecord): void {
    checkHash('commit', 'modelHash', c.modelHash);
    checkCount('commit', 'closedAt', c.closedAt);
    if (c.signed !== undefined && !(c.signed instanceof Uint8Array && c.signed.length > 0)) throw new LedgerInputError('commit: the signed bytes must be a non-empty byte array');
    commit(c);
  }

  const hashesOf = db.prepare<[string, number], RoundHashes>('SELECT base_hash AS baseHash, model_hash AS modelHash FROM rounds WHERE run_id = ? AND round = ?');
  const signedOf = db.prepare<[string, number], Buffer | null>('SELECT commit_bytes FROM rounds WHERE run_id = ? AND round = ?').pluck();
  const addressesOf = db.prepare<[string, number], { hash: string; address: string | null }>(
    'SELECT hash, reward_address AS address FROM contributions WHERE run_id = ? AND round = ?',
  );
  const mend = db.transaction((rounds: readonly MendRecord[]) => {
    for (const m of rounds) {
      checkHash('mend', 'baseHash', m.baseHash);
      if (m.commit && (m.commit.runId !== m.runId || m.commit.round !== m.round)) throw new LedgerInputError(`mend: round ${m.round}'s commit is another round's`);
      // A round this ledger never opened is not rewritten: it holds nothing of that round to mend.
      if (rebase.run(m.baseHash, m.runId, m.round).changes === 0) continue;
      // A commit resets the round's contributions itself; without one they stay received, as in a round that
      // closed without a commit here.
      if (m.commit) recordCommit(m.commit);
      else resetRound.run(m.runId, m.round);
    }
  });

  const records: RoundRecords = {
    open(runId, round, baseHash, openedAt) {
      checkId('round', 'runId', runId);
      checkCount('round', 'round', round);
      checkHash('round', 'baseHash', baseHash);
      checkCount('round', 'openedAt', openedAt);
      insertRound.run(runId, round, baseHash, openedAt);
    },
    addTraffic(runId, round, bytesIn, bytesOut) {
      checkCount('traffic', 'bytesIn', bytesIn);
      checkCount('traffic', 'bytesOut', bytesOut);
      if (traffic.run(bytesIn, bytesOut, runId, round).changes === 0) roundExists('traffic', runId, round);
    },
    recordContribution(c) {
      const what = 'contribution';
      checkId(what, 'runId', c.runId);
      checkCount(what, 'round', c.round);
      checkHash(what, 'hash', c.hash);
      checkId(what, 'peerId', c.peerId);
      for (const field of ['samples', 'steps', 'payloadBytes', 'receivedAt'] as const) checkCount(what, field, c[field]);
      if (c.rewardAddress !== null && !/^0x[0-9a-f]{40}$/.test(c.rewardAddress)) throw new LedgerInputError(`${what}: bad reward address`);
      if (!Object.values(c.losses).every(Number.isFinite)) throw new LedgerInputError(`${what}: losses must be finite`);
      roundExists(what, c.runId, c.round);
      return insertContribution.run({ ...c, own: c.own ? 1 : 0, losses: JSON.stringify(c.losses) }).changes === 1;
    },
    recordCommit,
    recordAdoption: db.transaction((a: AdoptionRecord) => {
      for (const c of a.contributions) records.recordContribution(c);
      records.addTraffic(a.commit.runId, a.commit.round, a.traffic.bytesIn, a.traffic.bytesOut);
      records.recordCommit(a.commit);
    }),
    recordMend: (rounds) => mend(rounds),
    hashes: (runId, round) => hashesOf.get(runId, round) ?? null,
    signedCommit(runId, round) {
      const bytes = signedOf.get(runId, round);
      return bytes ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null;
    },
    rewardAddresses: (runId, round) => new Map(addressesOf.all(runId, round).map(({ hash, address }) => [hash, address])),
    contributions(runId, round) {
      return contributionsOf.all(runId, round).map((row) => ({ ...row, own: row.own === 1 }));
    },
    history(runId, limit) {
      checkCount('rounds', 'limit', limit);
      return historyOf.all(runId, limit) as unknown as RoundRow[];
    },
  };
  return records;
}
