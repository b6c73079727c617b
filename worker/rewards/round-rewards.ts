/**
 * Rewards as the rounds produce them: a committed round's credits (its emission split among the accepted, each
 * to the reward address its own signed header names), and an ended epoch's record (the Merkle root of every
 * address's cumulative total). Every peer holding the same commits computes the same of both; `airtist
 * rewards verify` recomputes the epochs the same way. Each commit names the root of the cumulative table after
 * its round (creditRound), so a peer that holds the totals before a round checks a commit's credits before it
 * takes the commit.
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
export function roundCredits(emission: Emission, commit: Pick<Commit, 'round' | 'accepted'>, addresses: ReadonlyMap<string, string | null>, reputation: Reputation): RoundRewards {
  const total = roundEmission(emission, commit.round);
  const { credits, unallocated } = splitRound(
    total,
    commit.accepted.map((a) => ({ hash: a.hash, peer: a.peer, address: addresses.get(a.hash) ?? null, samples: a.samples, score: a.score })),
    emission.peerCapBps,
    (peer) => capShareOf(reputation, peer),
  );
  return { emissionWei: total.toString(), unallocatedWei: unallocated.toString(), credits: credits.map((c) => ({ hash: c.hash, wei: c.wei.toString() })) };
}

/** What a committed round credits, as the ledger records it. */
export type RoundRewards = NonNullable<CommitRecord['rewards']>;

/** A round's credits, and the cumulative table and its root once they are added to `before`. */
export interface CreditedRound {
  rewards: RoundRewards;
  totals: RewardTotals;
  root: string;
}

/**
 * The round's credits (roundCredits) added to the totals before it: what a leader puts in its commit's
 * `rewardRoot`, and what every adopting peer recomputes and checks.
 */
export function creditRound(
  emission: Emission,
  commit: Pick<Commit, 'round' | 'accepted'>,
  addresses: ReadonlyMap<string, string | null>,
  reputation: Reputation,
  before: RewardTotals,
): CreditedRound {
  const rewards = roundCredits(emission, commit, addresses, reputation);
  const totals = new Map(before);
  for (const { hash, wei } of rewards.credits) {
    const address = addresses.get(hash);
    if (address && wei !== '0') totals.set(address, (totals.get(address) ?? 0n) + BigInt(wei));
  }
  return { rewards, totals, root: rewardRoot(totals) };
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

/** What closing an ended epoch came to: closed (the record), or why not. */
export type EpochClosing =
  | { kind: 'closed'; record: EpochRecord }
  | { kind: 'none' }
  | { kind: 'unknown'; epoch: number }
  | { kind: 'mismatch'; epoch: number; ledger: string; network: string };

/**
 * Closes the epoch before the one `round` is in, if this ledger has not yet. `network` is the root of the
 * totals the peer held when the epoch's end round opened: when `round` is that end round they are the epoch's
 * totals, and a ledger that disagrees (credits it failed to record) closes nothing rather than a root nobody
 * else holds. A ledger that lacks the epoch's history (the peer joined later) closes nothing.
 */
export function closeEndedEpoch(table: RewardRecords, runId: string, emission: Emission, round: number, network: string | null, now = Date.now()): EpochClosing {
  const epoch = epochOf(emission, round) - 1;
  if (epoch < 0 || table.epoch(runId, epoch)) return { kind: 'none' };
  const endRound = (epoch + 1) * emission.epochRounds;
  const totals = table.totals(runId, endRound);
  if (!totals) return { kind: 'unknown', epoch };
  const record = epochRecord(totals, epoch, endRound, now);
  if (network !== null && round === endRound && record.root !== network) return { kind: 'mismatch', epoch, ledger: record.root, network };
  table.closeEpoch(runId, record);
  return { kind: 'closed', record };
}
