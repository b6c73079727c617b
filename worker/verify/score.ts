/**
 * From loss improvements to verdicts and scores (the useful-work check). A contribution's gain is the sum of
 * its improvements over the round's base, by loss name, on a batch of its assigned data; the same on data it
 * was not assigned shows the update generalises. Judged against the round's typical gain — the lower median
 * of this round's positive gains, topped up by the last rounds' accepted ones when they are few (scale.ts) — so the scale of a loss does
 * not matter and a language model only brings its cross-entropy.
 *
 * Rejected as `no-improvement`: no gain on its own data or none on other data; a gain below
 * `minGainFraction` of the typical one (noise, or far less training than it claims: a free rider); or a gain
 * on its own data well below its gain elsewhere (it did not train on what it was assigned). The score of an
 * accepted contribution is its gain over the typical one, at most 1: what splits the round's reward.
 */
import { lowerMedian as median } from '../rounds/sparse-stats.js';
import type { Losses } from '../training/task.js';

export interface Judged {
  hash: string;
  /** The inner steps it claims: fewer steps are expected to gain less (by √ of the share). */
  steps: number;
  assigned: Losses;
  random: Losses;
}

export interface ScoreOptions {
  /**
   * A gain below this share of the typical one is no training. Not higher: one batch of 64 rows measures a
   * GAN's gain noisily, and an honest peer's measured as low as 0.145 of the round's median (round 44 of 50,
   * four peers at H 10), while noise of an honest update's norm gains about 0.01 of it. A free rider's small
   * gain is the screen's to refuse (its update is too small for the steps it claims).
   */
  minGainFraction: number;
  /** How much less an update may help on its own data than elsewhere (a share of the latter). */
  assignedMargin: number;
}

export const SCORE_DEFAULTS: ScoreOptions = { minGainFraction: 0.1, assignedMargin: 0.5 };

/** `expected`: the gain its steps should give, what it was judged against. */
export type ScoreVerdict =
  | { hash: string; gain: number; expected: number; accepted: true; score: number }
  | { hash: string; gain: number; expected: number; accepted: false; reason: 'no-improvement' };

/** Contributions a round needs before its own gains can say it oscillated. */
const OSCILLATION_MIN = 3;
/**
 * Positive gains a round needs to be its own scale. A GAN's gains move by orders of magnitude between rounds
 * (every honest gain of round 31 of 50 at H 10 was 80× below the two rounds before), so the last rounds only
 * top up a round too small to have a median of its own. Cheats cannot outnumber the honest here: the screen
 * has already refused updates of the wrong norm or direction.
 */
const OWN_SCALE_MIN = 4;

export const totalGain = (losses: Losses): number => Object.values(losses).reduce((sum, value) => sum + value, 0);

/** `recentGains`: gains of the contributions accepted in the last rounds. */
export function judge(candidates: readonly Judged[], recentGains: readonly number[], options: ScoreOptions = SCORE_DEFAULTS): ScoreVerdict[] {
  const gains = candidates.map((c) => ({ hash: c.hash, steps: c.steps, assigned: totalGain(c.assigned), random: totalGain(c.random) }));
  const positive = gains.map((g) => g.assigned).filter((g) => Number.isFinite(g) && g > 0);
  const typical = median(positive.length >= OWN_SCALE_MIN ? positive : [...positive, ...recentGains]);
  const typicalSteps = median(candidates.map((c) => c.steps));
  // A round whose contributions mostly raised the losses they were scored on: a GAN's honest oscillation
  // (every honest update of a round at H 30 did so, measured), not a round of cheats — the screen has refused
  // updates that point nowhere or backwards. One batch cannot judge such a round: all are taken at a score of 1.
  const roundMedian = median(gains.map((g) => g.assigned).filter(Number.isFinite));
  if (candidates.length >= OSCILLATION_MIN && !(roundMedian > 0)) {
    return gains.map(({ hash, assigned }) => ({ hash, gain: assigned, expected: typical, accepted: true, score: 1 }));
  }
  return gains.map(({ hash, steps, assigned, random }) => {
    const expected = typical * Math.sqrt(Math.max(steps, 1) / Math.max(typicalSteps, 1));
    const helps = Number.isFinite(assigned) && Number.isFinite(random) && assigned > 0 && random > 0;
    if (!helps || !(assigned >= options.minGainFraction * expected) || assigned < (1 - options.assignedMargin) * random) {
      return { hash, gain: assigned, expected, accepted: false, reason: 'no-improvement' };
    }
    return { hash, gain: assigned, expected, accepted: true, score: Math.min(1, assigned / expected) };
  });
}
