/**
 * What the ledger records when a peer adopts a commit, as one write: every accepted contribution (one fetched
 * for the commit may never have been recorded here), the round's traffic, and the commit with its credits. One
 * transaction (RoundRecords.recordAdoption), so a process killed mid-write leaves the round either open or
 * closed with all its credits — never credits without their round, or a round closed without its credits.
 */
import type { AdoptionRecord, ContributionRecord } from '../ledger/rounds.js';
import type { RoundRewards } from '../rewards/round-rewards.js';
import type { Commit } from './commit.js';
import type { ContributionHeader } from './contribution.js';

/** What the record needs of a held contribution. */
export interface Contributed {
  hash: string;
  peerId: string;
  header: ContributionHeader;
}

export interface Adoption {
  runId: string;
  commit: Commit;
  signer: string;
  /** The commit as signed (the ledger keeps it for peers mending their history: history.ts). */
  signed: Uint8Array;
  /** The commit's accepted contributions as this peer holds them. */
  accepted: readonly Contributed[];
  /** This peer's own contribution of the round, if any. */
  ownHash: string | null;
  /** The round's credits, as checked with the commit (rounds/verify.ts, rewards/round-rewards.ts creditRound). */
  rewards: RoundRewards;
  traffic: { bytesIn: number; bytesOut: number };
  now: number;
}

/** A contribution as the ledger records it. */
export function contributionRecord(runId: string, { hash, peerId, header }: Contributed, own: boolean, receivedAt: number): ContributionRecord {
  return {
    runId,
    round: header.round,
    hash,
    peerId,
    own,
    rewardAddress: header.rewardAddress,
    samples: header.samples,
    steps: header.steps,
    losses: header.losses,
    payloadBytes: header.payloadBytes,
    receivedAt,
  };
}

export function adoptionRecord({ runId, commit, signer, signed, accepted, ownHash, rewards, traffic, now }: Adoption): AdoptionRecord {
  return {
    contributions: accepted.map((c) => contributionRecord(runId, c, c.hash === ownHash, now)),
    traffic,
    commit: {
      runId,
      round: commit.round,
      modelHash: commit.modelHash,
      committedBy: signer,
      accepted: commit.accepted.map(({ hash, score }) => ({ hash, score })),
      rejected: commit.rejected,
      rewards,
      closedAt: now,
      signed,
    },
  };
}
