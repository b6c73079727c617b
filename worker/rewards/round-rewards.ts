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

export interface EpochCloserOptions {
  table: RewardRecords;
  runId: string;
  emission: Emission;
  log: (line: string) => void;
  /** Told of every epoch closed here (the chain service posts its root). */
  closed: (record: EpochRecord) => void;
}

/**
 * Closes a peer's reward epochs as its rounds open: the epoch that ended before the last round, with its root.
 * Not the one that ended before this round: the commit of an epoch's last round can still give way to a
 * better-ranked one (the driver's compete) until the next round's commit is in, and an epoch's row never
 * changes once written. The root the peer's totals had when the epoch's end round opened (again after a
 * switch) is what the ledger's must be. The ledger keeps the record; a failed write (a full disk) is logged.
 */
export class EpochCloser {
  /** Epoch → the root of the totals when its end round opened here. */
  private readonly endingRoots = new Map<number, string>();

  constructor(private readonly options: EpochCloserOptions) {}

  /** Round `round` opened here with `totals` (every address's reward before it; null: unknown here). */
  roundOpened(round: number, totals: RewardTotals | null): void {
    const { table, runId, emission, log, closed } = this.options;
    const { epochRounds } = emission;
    if (totals !== null && round % epochRounds === 0) this.endingRoots.set(round / epochRounds - 1, rewardRoot(totals));
    if (round === 0) return;
    const last = round - 1;
    const epoch = Math.floor(last / epochRounds) - 1;
    for (const ended of this.endingRoots.keys()) if (ended < epoch) this.endingRoots.delete(ended);
    try {
      const closing = closeEndedEpoch(table, runId, emission, last, this.endingRoots.get(epoch) ?? null);
      if (closing.kind === 'closed') {
        const { epoch: ended, addresses, root } = closing.record;
        log(`rewards: epoch ${ended} closed: ${addresses} addresses, root ${root.slice(0, 14)}…`);
        closed(closing.record);
      } else if (closing.kind === 'mismatch') {
        log(`rewards: epoch ${closing.epoch} not closed: the ledger's totals make root ${closing.ledger.slice(0, 14)}…, the network's is ${closing.network.slice(0, 14)}… (credits the ledger failed to record)`);
      }
    } catch (error) {
      log(`rounds: the ledger could not record this: ${(error as Error).message}`);
    }
  }
}
