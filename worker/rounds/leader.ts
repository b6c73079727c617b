/**
 * Who commits a round: every eligible peer is ranked by sha256(run · round · peer id), the same on every peer
 * without talking, and the first is the leader. The contributors of the last commit, which every peer on the
 * same base has read, rank before peers new to the round: a newcomer whose contribution some peers have not
 * seen yet cannot lead over them (leaders chosen from differing views are how commits compete). If it stays silent
 * past the commit deadline, the next in rank steps in: `fallbackMs` after a peer ranked before it that cannot be
 * committing (it is gone, or made no contribution this peer holds), a longer patience after one that is connected
 * and contributed, since that one is most likely scoring the round, which takes seconds on a busy home computer.
 * When more than one valid commit for a round arrives, every honest peer applies the one from the best-ranked
 * signer, so the network never splits over which commit counts; the patience keeps the losing ones rare. Pure.
 */
import { createHash } from 'node:crypto';

export function leaderRanking(runId: string, round: number, eligible: readonly string[]): string[] {
  const key = (peer: string) => createHash('sha256').update(`${runId}\u0000${round}\u0000${peer}`).digest('hex');
  return [...new Set(eligible)]
    .map((peer) => ({ peer, key: key(peer) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ peer }) => peer);
}

/** `known` (the last commit's contributors) in rank order, then every other peer of `current` in rank order. */
export function roundRanking(runId: string, round: number, known: readonly string[], current: readonly string[]): string[] {
  const first = leaderRanking(runId, round, known);
  const seen = new Set(first);
  return [...first, ...leaderRanking(runId, round, current.filter((peer) => !seen.has(peer)))];
}

/**
 * When `peer` may publish a commit for the round: the leader at the deadline, each fallback after it has waited
 * for every peer ranked before it, `waitFor(that peer)` each (see the top of this file).
 */
export function commitSlot(ranking: readonly string[], peer: string, deadlineMs: number, waitFor: (before: string) => number): number | null {
  const rank = ranking.indexOf(peer);
  if (rank < 0) return null;
  return ranking.slice(0, rank).reduce((slot, before) => slot + waitFor(before), deadlineMs);
}

/**
 * Of the valid commits received for one round, the one to apply: the best-ranked signer's. A signer that
 * published two different commits (equivocation) is passed over, and its commits never count.
 */
export function chooseCommit<C extends { signer: string; hash: string }>(ranking: readonly string[], commits: readonly C[]): C | null {
  const bySigner = new Map<string, Set<string>>();
  for (const commit of commits) bySigner.set(commit.signer, (bySigner.get(commit.signer) ?? new Set()).add(commit.hash));
  for (const signer of ranking) {
    const hashes = bySigner.get(signer);
    if (hashes?.size === 1) return commits.find((commit) => commit.signer === signer)!;
  }
  return null;
}
