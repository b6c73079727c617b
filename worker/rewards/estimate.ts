/**
 * "About how much would this computer earn a day?": what the first run and the Earnings page show. The network's
 * own recent pace decides it — rounds a day (from when recent rounds opened and were committed) × a round's
 * emission × this peer's share of a round (one contributor among those a round accepts, or one more when this
 * peer has not been one yet) — and never more than one peer may take (the run's cap; half of it for a
 * newcomer). An even share is the assumption, and the words say so: a round is split by samples × score.
 * Pure; bigint wei.
 */
import { roundEmission, type Emission } from './emission.js';

export interface RecentRound {
  round: number;
  openedAt: number;
  closedAt: number | null;
  /** Contributions the commit accepted. */
  accepted: number;
  /** Whether this peer's contribution was among them. */
  mine: boolean;
}

export interface DailyEstimate {
  weiPerDay: string;
  /** What it rests on: rounds seen, rounds a day at their pace, the median contributors a round. */
  rounds: number;
  roundsPerDay: number;
  contributors: number;
}

/** Fewer committed rounds than this say too little about the pace. */
export const MIN_ROUNDS = 3;
const DAY_MS = 86_400_000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

export function estimateDailyWei(emission: Emission, recent: readonly RecentRound[], reputation: number): DailyEstimate | null {
  const rounds = recent.filter((r) => r.closedAt !== null && r.accepted > 0).sort((a, b) => a.round - b.round);
  if (rounds.length < MIN_ROUNDS) return null;
  const span = rounds.at(-1)!.closedAt! - rounds[0]!.openedAt;
  if (!(span > 0)) return null;
  const roundsPerDay = (rounds.length * DAY_MS) / span;
  const contributors = median(rounds.map((r) => r.accepted));
  const member = rounds.some((r) => r.mine);
  const shareBps = Math.floor(10_000 / (member ? contributors : contributors + 1));
  // The run's cap on one peer's share of a round, from half (a newcomer) to all of it (full reputation).
  const capBps = Math.floor((emission.peerCapBps * (0.5 + 0.5 * Math.min(1, Math.max(0, reputation)))));
  const perRound = (roundEmission(emission, rounds.at(-1)!.round) * BigInt(Math.min(shareBps, capBps))) / 10_000n;
  const weiPerDay = (perRound * BigInt(Math.round(roundsPerDay * 1000))) / 1000n;
  return { weiPerDay: weiPerDay.toString(), rounds: rounds.length, roundsPerDay, contributors };
}
