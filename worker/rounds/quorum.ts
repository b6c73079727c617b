/**
 * When a round may close, and when what arrives says this peer is on a fork. Pure, so it is tested alone.
 *
 * Contributions decided on arrival count toward the quorum: their contributors were heard from. Those made
 * on another base do not: a peer left on a fork (it missed a commit while syncing, say) would otherwise close
 * its round on the others' arrivals and commit alone, and the others, seeing a commit for a later round,
 * would follow it. When they outnumber the round's own, this peer is the one on the fork.
 */
import type { RejectionReason } from '../verify/reasons.js';

/** Contributions on another base a round needs before they say this peer is on a fork: one may be a laggard's. */
export const FORK_EVIDENCE = 2;

export interface Arrivals {
  /** Contributions of this round on this peer's base whose payloads decoded. */
  valid: number;
  /** Why each contribution refused on arrival was refused. */
  refused: readonly RejectionReason[];
  /** Contributions this round needs to close. */
  quorum: number;
}

export type QuorumVerdict = { kind: 'close' } | { kind: 'fork'; elsewhere: number } | { kind: 'wait' };

export function quorumVerdict({ valid, refused, quorum }: Arrivals): QuorumVerdict {
  const elsewhere = refused.filter((reason) => reason === 'wrong-base').length;
  const heard = valid + refused.length - elsewhere;
  if (elsewhere >= FORK_EVIDENCE && elsewhere > heard) return { kind: 'fork', elsewhere };
  return heard >= quorum ? { kind: 'close' } : { kind: 'wait' };
}

/** The quorum of a round with `active` peers subscribed (this one included): a share of them, at most a count. */
export function quorumOf(active: number, { contributions, fraction }: { contributions: number; fraction: number }): number {
  return Math.max(1, Math.min(contributions, Math.ceil(fraction * active)));
}
