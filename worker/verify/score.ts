/**
 * From loss improvements to verdicts and scores (the useful-work check). A contribution's gain is the sum of
 * its improvements over the round's base, by loss name, on a batch of its assigned data; the same on data it
 * was not assigned shows the update generalises. Judged against the round's typical gain — the median of
 * this round's positive gains and the recent accepted ones — so the scale of a loss does not matter and a
 * language model only brings its cross-entropy.
 *
 * Rejected as `no-improvement`: no gain on its own data or none on other data; a gain below
 * `minGainFraction` of the typical one (noise, or far less training than it claims: a free rider); or a gain
 * on its own data well below its gain elsewhere (it did not train on what it was assigned). The score of an
 * accepted contribution is its gain over the typical one, at most 1: what splits the round's reward.
 */
import type { Losses } from '../training/task.js';

export interface Judged {
  hash: string;
  /** The inner steps it claims: fewer steps are expected to gain less (by √ of the share). */
  steps: number;
  assigned: Losses;
  random: Losses;
}

export interface ScoreOptions {
  minGainFraction: number;
  /** How much less an update may help on its own data than elsewhere (a share of the latter). */
  assignedMargin: number;
}

export const SCORE_DEFAULTS: ScoreOptions = { minGainFraction: 0.3, assignedMargin: 0.5 };

/** `expected`: the gain its steps should give, what it was judged against. */
export type ScoreVerdict =
  | { hash: string; gain: number; expected: number; accepted: true; score: number }
  | { hash: string; gain: number; expected: number; accepted: false; reason: 'no-improvement' };

export const totalGain = (losses: Losses): number => Object.values(losses).reduce((sum, value) => sum + value, 0);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? Number.NaN : sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function judge(candidates: readonly Judged[], recentGains: readonly number[], options: ScoreOptions = SCORE_DEFAULTS): ScoreVerdict[] {
  const gains = candidates.map((c) => ({ hash: c.hash, steps: c.steps, assigned: totalGain(c.assigned), random: totalGain(c.random) }));
  const typical = median([...gains.map((g) => g.assigned).filter((g) => Number.isFinite(g) && g > 0), ...recentGains]);
  const typicalSteps = median(candidates.map((c) => c.steps));
  return gains.map(({ hash, steps, assigned, random }) => {
    const expected = typical * Math.sqrt(Math.max(steps, 1) / Math.max(typicalSteps, 1));
    const helps = Number.isFinite(assigned) && Number.isFinite(random) && assigned > 0 && random > 0;
    if (!helps || !(assigned >= options.minGainFraction * expected) || assigned < (1 - options.assignedMargin) * random) {
      return { hash, gain: assigned, expected, accepted: false, reason: 'no-improvement' };
    }
    return { hash, gain: assigned, expected, accepted: true, score: Math.min(1, assigned / expected) };
  });
}
