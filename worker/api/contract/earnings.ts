/**
 * What this node earned: each of its contributions with what the network made of it, and the AIRT credited,
 * as the Earnings page and `summary.json` show them. Every amount is wei as a decimal string. Pure types.
 */

export type ContributionStatus = 'received' | 'accepted' | 'rejected';

/** Why the network refused a contribution (verify/reasons.ts); the ledger says 'not in the commit' for one a commit left out. */
export type { RejectionReason } from '../../verify/reasons.js';

/** One of this node's contributions to a round. */
export interface OwnContribution {
  round: number;
  hash: string;
  /** received: its round is not committed yet. */
  status: ContributionStatus;
  /** For a rejected one: the reason's code (verify/reasons.ts) and its words. */
  reason: string | null;
  reasonText: string | null;
  /** The commit's score of an accepted one (its credited work, in samples × quality). */
  score: number | null;
  samples: number;
  creditedWei: string | null;
  /** When it was made (Unix ms). */
  at: number;
}

export interface EarningsTotals {
  accepted: number;
  rejected: number;
  /** Rejected contributions by reason code. */
  rejectedBy: Record<string, number>;
  creditedWei: string;
  /** Credited today (local day). */
  todayWei: string;
  /** Credited in rounds no closed epoch covers yet: in no reward root so far. */
  pendingWei: string;
}

export interface EpochProgress {
  epoch: number;
  /** Rounds per epoch, and how many of this epoch's have opened. */
  rounds: number;
  roundsDone: number;
  /** The last closed epoch's root and this node's cumulative total in it; null before the first closes. */
  lastClosed: { epoch: number; root: string; totalWei: string; closedAt: number } | null;
}

export interface Earnings {
  rewardAddress: string | null;
  /** Newest first. */
  contributions: OwnContribution[];
  totals: EarningsTotals;
  epoch: EpochProgress;
  /** AIRT credited per local day, oldest first, the last 30 days with any. */
  daily: Array<{ day: string; wei: string }>;
  /**
   * About what this node would earn a day at the network's recent pace, with an even share of each round
   * (rewards/estimate.ts); null until a few rounds were committed (and for a node that trains alone).
   */
  estimate: { weiPerDay: string; rounds: number; roundsPerDay: number; contributors: number } | null;
}
