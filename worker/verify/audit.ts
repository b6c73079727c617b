/**
 * Which of a round's contributions the leader scores when it cannot score them all in time. Scoring costs
 * three forward passes of a small batch per contribution on the leader's trainer thread, so the round's time
 * bounds how many it scores (`budget`); past that it audits a sample rather than sharing the work with other
 * peers, because a shared score is one more message to trust and to wait for, while a sample needs nothing
 * from anyone:
 *  - newcomers (reputation below `TRUST_MIN`) are scored first: nothing vouches for them yet; those past the
 *    budget wait for a later round (their error feedback keeps the work), never accepted unscored;
 *  - the budget left audits reputed peers in an order drawn from the round's base hash, which no contributor
 *    can know when it sends; a reputed peer not drawn is accepted on its record, with its reputation as its
 *    score, so a peer that cheats is caught in the rounds it is drawn in and its reputation falls.
 * Pure: the same contributions, table and base give the same sample on every peer.
 */
import { createHash } from 'node:crypto';
import { PPM, LEAD_MIN, reputationOf, type Reputation } from './reputation.js';

/** Reputation a contributor needs to be accepted unscored when the leader cannot score everyone. */
export const TRUST_MIN = LEAD_MIN;

export interface AuditPlan<C> {
  scored: C[];
  /** Accepted on their record, each with its reputation as its score. */
  trusted: Array<{ c: C; score: number }>;
  /** Newcomers past the budget: left for a later round. */
  waiting: C[];
}

export function planAudit<C extends { hash: string; peerId: string }>(candidates: readonly C[], reputation: Reputation, budget: number, baseHash: string): AuditPlan<C> {
  if (candidates.length <= budget) return { scored: [...candidates], trusted: [], waiting: [] };
  const key = (c: C) => createHash('sha256').update(`${baseHash}/audit/${c.hash}`).digest('hex');
  const drawn = [...candidates].map((c) => ({ c, key: key(c) })).sort((a, b) => (a.key < b.key ? -1 : 1));
  const newcomers = drawn.filter(({ c }) => reputationOf(reputation, c.peerId) < TRUST_MIN).map(({ c }) => c);
  const reputed = drawn.filter(({ c }) => reputationOf(reputation, c.peerId) >= TRUST_MIN).map(({ c }) => c);
  const first = newcomers.slice(0, budget);
  const audited = reputed.slice(0, budget - first.length);
  return {
    scored: [...first, ...audited],
    trusted: reputed.slice(audited.length).map((c) => ({ c, score: reputationOf(reputation, c.peerId) / PPM })),
    waiting: newcomers.slice(first.length),
  };
}
