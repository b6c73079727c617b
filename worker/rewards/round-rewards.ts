/**
 * Rewards as the rounds produce them: a committed round's credits (its emission split among the accepted, each
 * to the reward address its own signed header names), and an ended epoch's record (the Merkle root of every
 * address's cumulative total). Every peer holding the same commits computes the same of both; `airtist
 * rewards verify` recomputes the epochs the same way.
 */
import type { EpochRecord, RewardRecords } from '../ledger/rewards.js';
import type { CommitRecord } from '../ledger/rounds.js';
import type { Commit } from '../rounds/commit.js';
import { epochOf, roundEmission, type Emission } from './emission.js';
import { rewardRoot, type RewardTotals } from './merkle.js';
import { splitRound } from './split.js';
import { capShareOf, type Reputation } from '../verify/reputation.js';

/**
 * The credits of a committed round, as the ledger records them with its commit; `reputation` is the table the
 * round started from (its base commit's), which scales each peer's cap.
 */
export function roundCredits(emission: Emission, commit: Commit, addresses: ReadonlyMap<string, string | null>, reputation: Reputation): NonNullable<CommitRecord['rewards']> {
  const total = roundEmission(emission, commit.round);
  const { credits, unallocated } = splitRound(
    total,
    commit.accepted.map((a) => ({ hash: a.hash, peer: a.peer, address: addresses.get(a.hash) ?? null, samples: a.samples, score: a.score })),
    emission.peerCapBps,
    (peer) => capShareOf(reputation, peer),
  );
  return { emissionWei: total.toString(), unallocatedWei: unallocated.toString(), credits: credits.map((c) => ({ hash: c.hash, wei: c.wei.toString() })) };
}

/** An epoch closed over `totals` (the cumulative credits of the rounds before `endRound`). */
export function epochRecord(totals: RewardTotals, epoch: number, endRound: number, closedAt: number): EpochRecord {
  const amounts = [...totals.values()];
  return {
    epoch,
    endRound,
    root: rewardRoot(totals),
    totalWei: amounts.reduce((sum, wei) => sum + wei, 0n).toString(),
    addresses: amounts.filter((wei) => wei > 0n).length,
    closedAt,
  };
}

/** Closes the epoch before the one `round` is in, if this ledger has not yet; the record made, or null. */
export function closeEndedEpoch(table: RewardRecords, runId: string, emission: Emission, round: number, now = Date.now()): EpochRecord | null {
  const epoch = epochOf(emission, round) - 1;
  if (epoch < 0 || table.epoch(runId, epoch)) return null;
  const endRound = (epoch + 1) * emission.epochRounds;
  const record = epochRecord(table.totals(runId, endRound), epoch, endRound, now);
  table.closeEpoch(runId, record);
  return record;
}
