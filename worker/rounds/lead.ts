/**
 * What a leader commits, once its verifier has judged the round (worker/verify/): the accepted make the model
 * (the run's aggregation and outer step), earn their credits (rewards/round-rewards.ts creditRound), and move
 * the reputation table; the commit names them with their scores, names the refused with their reasons, and
 * carries the model hash, the table and the reward root that every adopting peer recomputes (verify.ts
 * verifyCommit). Pure over what the driver passes in, so a test can hand the commit made here to the check
 * every other peer makes.
 */
import type { RewardTotals } from '../rewards/merkle.js';
import { creditRound } from '../rewards/round-rewards.js';
import type { RejectionReason } from '../verify/reasons.js';
import { nextReputation, type Reputation } from '../verify/reputation.js';
import type { Commit } from './commit.js';
import type { Held } from './contributions.js';
import { modelHash } from './outer.js';
import type { RunSpec } from './run-spec.js';
import { applyContributions, type Model, type VerifiedCommit } from './verify.js';

export interface LeadInput {
  runId: string;
  round: number;
  /** θ_r, its momentum and their hash: what the round trained from. */
  from: Model;
  base: string;
  /** This peer: a commit must carry its signer's own accepted work. */
  self: string;
  verdicts: { accepted: ReadonlyArray<{ held: Held; score: number }>; rejected: ReadonlyArray<{ held: Held; reason: RejectionReason }> };
  /** Contributions refused on arrival (they did not decode, or were made on another base). */
  refused: readonly Held[];
  /** The reputation table and the reward totals the round started from. */
  reputation: Reputation;
  totals: RewardTotals;
  spec: Pick<RunSpec, 'outerOptimizer' | 'aggregation' | 'rewards'>;
  now: number;
}

export type Lead =
  | { kind: 'commit'; commit: Commit; next: Omit<VerifiedCommit, 'totals'> & { totals: RewardTotals } }
  | { kind: 'leave'; why: string };

const byHash = (a: { hash: string }, b: { hash: string }) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0);

export function lead({ runId, round, from, base, self, verdicts, refused, reputation, totals, spec, now }: LeadInput): Lead {
  const valid = verdicts.accepted.map((a) => a.held).sort(byHash);
  // A fallback that accepts this peer's work commits instead.
  if (!valid.some((c) => c.peerId === self)) return { kind: 'leave', why: 'our own contribution did not pass our checks' };
  const { theta, momentum } = applyContributions(from, valid, spec.outerOptimizer, spec.aggregation);
  const scores = new Map(verdicts.accepted.map((a) => [a.held.hash, a.score]));
  const accepted = valid.map((c) => ({ hash: c.hash, peer: c.peerId, samples: c.header.samples, score: scores.get(c.hash)! }));
  const credited = creditRound(spec.rewards, { round, accepted }, new Map(valid.map((c) => [c.hash, c.header.rewardAddress])), reputation, totals);
  const commit: Commit = {
    runId,
    round,
    committedAt: now,
    baseHash: base,
    accepted,
    rejected: [...verdicts.rejected.map(({ held: c, reason }) => ({ hash: c.hash, reason })), ...refused.map((c) => ({ hash: c.hash, reason: c.refused! }))].sort(byHash),
    modelHash: modelHash(theta, momentum),
    reputation: nextReputation(reputation, accepted),
    rewardRoot: credited.root,
  };
  return { kind: 'commit', commit, next: { theta, momentum, accepted: valid, rewards: credited.rewards, totals: credited.totals } };
}
