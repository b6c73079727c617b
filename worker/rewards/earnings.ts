/**
 * What this node earned, as the Earnings page shows it: its contributions with the reasons in words, its
 * totals (today, pending — credited but in no closed epoch's root yet — and all), the epoch's progress, and
 * AIRT per local day. Sums are bigints of wei, never floats. Pure over what the ledger read.
 */
import type { Earnings, OwnContribution } from '../api/contract/earnings.js';
import type { EarningsRecords, OwnRow } from '../ledger/earnings.js';
import type { EpochRecord } from '../ledger/rewards.js';
import { startOfLocalDay } from '../ledger/day.js';
import { REJECTION_WORDS, type RejectionReason } from '../verify/reasons.js';
import { epochOf, type Emission } from './emission.js';
import { estimateDailyWei, type RecentRound } from './estimate.js';

/** Days of the per-day chart. */
const DAYS = 30;

export interface EarningsInput {
  rows: OwnRow[];
  counts: ReturnType<EarningsRecords['counts']>;
  credited: ReturnType<EarningsRecords['credited']>;
  epochs: EpochRecord[];
  emission: Emission;
  /** The round this node is in. */
  round: number;
  rewardAddress: string | null;
  now: number;
  /** The last rounds as this peer recorded them, and its reputation: for the daily estimate. */
  recent: readonly RecentRound[];
  reputation: number;
}

const localDay = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

export function earningsOf(input: EarningsInput): Earnings {
  const { emission, round, now } = input;
  const contributions: OwnContribution[] = input.rows.map((row) => ({
    ...row,
    reasonText: row.reason ? (REJECTION_WORDS[row.reason as RejectionReason] ?? row.reason) : null,
  }));
  let accepted = 0;
  let rejected = 0;
  const rejectedBy: Record<string, number> = {};
  for (const { status, reason, count } of input.counts) {
    if (status === 'accepted') accepted += count;
    if (status === 'rejected') {
      rejected += count;
      rejectedBy[reason ?? 'unknown'] = (rejectedBy[reason ?? 'unknown'] ?? 0) + count;
    }
  }
  const lastClosed = input.epochs.at(-1) ?? null;
  const today = startOfLocalDay(now);
  let all = 0n;
  let todayWei = 0n;
  let pending = 0n;
  let inLastRoot = 0n;
  const perDay = new Map<string, bigint>();
  for (const { round: r, wei, closedAt } of input.credited) {
    const amount = BigInt(wei);
    all += amount;
    if (closedAt >= today) todayWei += amount;
    if (!lastClosed || r >= lastClosed.endRound) pending += amount;
    else inLastRoot += amount;
    const day = localDay(closedAt);
    perDay.set(day, (perDay.get(day) ?? 0n) + amount);
  }
  const epoch = epochOf(emission, round);
  return {
    rewardAddress: input.rewardAddress,
    contributions,
    totals: { accepted, rejected, rejectedBy, creditedWei: all.toString(), todayWei: todayWei.toString(), pendingWei: pending.toString() },
    epoch: {
      epoch,
      rounds: emission.epochRounds,
      roundsDone: round - epoch * emission.epochRounds,
      lastClosed: lastClosed ? { epoch: lastClosed.epoch, root: lastClosed.root, totalWei: inLastRoot.toString(), closedAt: lastClosed.closedAt } : null,
    },
    daily: [...perDay].sort(([a], [b]) => (a < b ? -1 : 1)).slice(-DAYS).map(([day, wei]) => ({ day, wei: wei.toString() })),
    estimate: estimateDailyWei(emission, input.recent, input.reputation),
  };
}
