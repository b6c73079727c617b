/**
 * Each peer's reputation: a moving average of the scores its contributions earned, one step per committed
 * round, in integer millionths so every peer computes the same table bit for bit. A peer accepted with score
 * s moves a fifth of the way to s; a peer rejected or silent in a round moves a fifth of the way to 0, so a
 * peer that goes quiet decays to nothing instead of keeping a high score (Templar's offline peers did), and
 * leaves the table once below `DROP_BELOW`.
 *
 * Every commit carries the table its round leaves (commit.ts), checked by every peer that adopts it against
 * the table of the commit before and the commit's own scores, so a peer that joins late reads the same table
 * as everyone. It decides two things:
 *  - leadership: of the last commit's contributors, those at `LEAD_MIN` or above rank first for the next round
 *    (two rounds of good work from a newcomer, so a peer cannot appear and lead at once; and present in the last
 *    round, so a reputed peer that left costs no fallback wait); with none of them there, all the contributors;
 *  - how much of a round's reward one peer may take: the run's per-peer cap, scaled from `CAP_FLOOR` of it for
 *    a newcomer up to all of it at full reputation (rewards/round-rewards.ts).
 */
import type { AcceptedContribution } from '../rounds/commit.js';

export const PPM = 1_000_000;
/** The share of the way to this round's score a peer's reputation moves each round (1/5). */
const STEP_NUM = 1;
const STEP_DEN = 5;
export const DROP_BELOW = 1_000;
export const LEAD_MIN = 300_000;
export const CAP_FLOOR = 500_000;
/** A table never holds more peers than a commit may accept contributions. */
export const MAX_REPUTATION = 4096;

/** Peers ascending by id, each with its reputation in millionths (DROP_BELOW ≤ ppm ≤ PPM). */
export type Reputation = ReadonlyArray<{ peer: string; ppm: number }>;

const scorePpm = (score: number) => (Number.isFinite(score) && score > 0 ? Math.round(Math.min(score, 1) * PPM) : 0);

/** The table a committed round leaves: `before` moved by the round's accepted scores (a peer's best counts). */
export function nextReputation(before: Reputation, accepted: readonly Pick<AcceptedContribution, 'peer' | 'score'>[]): Reputation {
  const best = new Map<string, number>();
  for (const { peer, score } of accepted) best.set(peer, Math.max(best.get(peer) ?? 0, scorePpm(score)));
  const previous = new Map(before.map(({ peer, ppm }) => [peer, ppm]));
  const peers = new Set([...previous.keys(), ...best.keys()]);
  const next = [...peers].map((peer) => {
    const from = previous.get(peer) ?? 0;
    const to = best.get(peer) ?? 0;
    // Rounded down in integers: the same on every peer, and a silent peer's reputation strictly falls.
    return { peer, ppm: Math.floor((from * (STEP_DEN - STEP_NUM) + to * STEP_NUM) / STEP_DEN) };
  });
  const kept = next.filter((entry) => entry.ppm >= DROP_BELOW);
  // Over the limit, the lowest go first (ties: the higher id), so the table stays bounded on every peer alike.
  kept.sort((a, b) => b.ppm - a.ppm || (a.peer < b.peer ? -1 : 1));
  return kept.slice(0, MAX_REPUTATION).sort((a, b) => (a.peer < b.peer ? -1 : 1));
}

export function reputationOf(table: Reputation, peer: string): number {
  return table.find((entry) => entry.peer === peer)?.ppm ?? 0;
}

/** Who ranks first for the next round's leadership: the reputed of the last commit's contributors, else all of them. */
export function leadersOf(table: Reputation, contributors: readonly string[]): string[] {
  const present = [...new Set(contributors)];
  const reputed = present.filter((peer) => reputationOf(table, peer) >= LEAD_MIN);
  return reputed.length > 0 ? reputed : present;
}

/** A peer's share of the run's per-peer cap, in millionths: CAP_FLOOR for a newcomer, PPM at full reputation. */
export function capShareOf(table: Reputation, peer: string): number {
  return CAP_FLOOR + Math.floor(((PPM - CAP_FLOOR) * reputationOf(table, peer)) / PPM);
}

/** Same peers, same values, same order. */
export function sameReputation(a: Reputation, b: Reputation): boolean {
  return a.length === b.length && a.every((entry, i) => entry.peer === b[i]!.peer && entry.ppm === b[i]!.ppm);
}
