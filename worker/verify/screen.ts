/**
 * The cheap checks a contribution must pass before anyone spends compute scoring it, each with a reason a
 * miner can read. Pure: the same candidates and history give the same verdicts on every peer.
 *
 * In order, the first that fails decides:
 *  - `wrong-run`, `wrong-round`, `wrong-base`: trained for another run, round or model than this round's;
 *  - `non-finite`: a NaN or an infinity in the update;
 *  - `samples`: the claim does not add up (samples ≠ steps × batch, more steps than the round allows);
 *  - `replay`: its payload was already contributed (this round or an earlier one we remember);
 *  - `zero`: an update too small to be training (below `zeroFraction` of the round's median norm, or no values);
 *  - `norm`: a norm far outside the round's distribution (over `normFactor` × the lower median of this round's
 *    and the last rounds' accepted ones — scale.ts — so cheats that outnumber the honest do not set the scale);
 *  - `samples` again: an update far smaller than the training it claims gives (a free rider: one step trained,
 *    ten claimed), judged against the typical norm scaled by √(claimed steps / typical steps);
 *  - `copy`: its kept positions overlap an earlier arrival's by more than `copyOverlap` with the values
 *    pointing the same way (Templar penalises index overlap above 0.4; see SCREEN_DEFAULTS for ours): the
 *    later arrival loses. Every earlier arrival of the round counts, refused ones too: a copy of a replay is
 *    no more work than the replay;
 *  - `direction`: with at least `MIN_AGREEING` others passing so far, its agreement with half of them (the
 *    upper median of its signed overlaps, `agreement`) is below `minAgreement` of the round's typical agreement. Peers that
 *    trained the same model from the same base move it the same way; noise agrees with nobody and a sign
 *    flip disagrees with everyone. One batch's loss change cannot tell noise apart from a GAN's honest
 *    oscillation (measured: every honest update of a round at H 30 raised the losses it was scored on, while
 *    noise gained up to a tenth of the typical gain); the direction can, before anything is scored.
 */
import type { SparseUpdate } from '../rounds/compress.js';
import { l2, lowerMedian as median } from '../rounds/sparse-stats.js';
import type { ContributionHeader } from '../rounds/contribution.js';
import type { RejectionReason } from './reasons.js';

export interface Candidate {
  hash: string;
  peer: string;
  header: ContributionHeader;
  update: SparseUpdate;
  /** When this peer received it (ms): of two copies, the later loses. */
  receivedAt: number;
}

export interface ScreenContext {
  runId: string;
  round: number;
  baseHash: string;
  batchSize: number;
  maxInnerSteps: number;
  /** Payload hashes contributed in recent rounds. */
  seenPayloads: ReadonlySet<string>;
  /** L2 norms of updates accepted in the last rounds (scale.ts). */
  recentNorms: readonly number[];
}

export interface ScreenOptions {
  zeroFraction: number;
  /**
   * An update below this share of the norm its claimed steps should give is a free rider's. A free rider that
   * trains one step in ten sends a tenth; an honest newcomer's first update, with no error feedback behind it
   * yet, is about a third of the others', and one came to 0.27 of them in a swarm (4 of 5 steps, refused at
   * 0.3). 0.2 sits between them with room both ways.
   */
  underclaimFraction: number;
  /**
   * Above this multiple of the reference norm, an update is out of the round's distribution. Honest norms of
   * a round sit within 0.9–1.22 of their median (4 peers, 50 rounds at H 10, measured); a newcomer's first
   * update, with no error feedback behind it, is a third of the others', so its ×20 comes to 6–8 of them and
   * got past a factor of 8. An honest update held back a round comes back with it, about twice its size.
   */
  normFactor: number;
  copyOverlap: number;
  /** Below this share of the round's typical agreement, an update points the wrong way (`direction`). */
  minAgreement: number;
}

/**
 * `copyOverlap`: honest peers' top-k positions overlap more than Templar's 0.4 under this codec (top 64 of
 * every 4096 by magnitude, error feedback): 0.36–0.53 measured between 5 honest mlp-gan peers at H 30 over 8
 * rounds (0.09–0.15 at H 10 from round 0). A copy with a little noise on it keeps 0.9 and more.
 */
export const SCREEN_DEFAULTS: ScreenOptions = { zeroFraction: 0.01, underclaimFraction: 0.2, normFactor: 4, copyOverlap: 0.75, minAgreement: 0.25 };

/** Others a contribution's direction is judged against: fewer, and there is no "everyone else". */
export const MIN_AGREEING = 3;
/** A round whose typical agreement is below this has no common direction to judge by (independent updates ≈ 0). */
export const MIN_CONSENSUS = 0.02;

export type Verdict = { hash: string; accepted: true; norm: number } | { hash: string; accepted: false; reason: RejectionReason; norm: number };

/** Over the positions both keep (index lists ascending, as the codec decodes them, so one merge pass): how many have the same sign, how many opposite. */
function sharedSigns(a: SparseUpdate, b: SparseUpdate): { same: number; opposite: number } {
  let same = 0;
  let opposite = 0;
  for (let i = 0, j = 0; i < a.indices.length && j < b.indices.length; ) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) {
      if (Math.sign(a.values[i]!) === Math.sign(b.values[j]!)) same++;
      else opposite++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return { same, opposite };
}

/** The share of `a`'s kept positions that `b` keeps too with a value of the same sign, over the smaller of the two counts. */
export function overlap(a: SparseUpdate, b: SparseUpdate): number {
  const smaller = Math.min(a.indices.length, b.indices.length);
  return smaller === 0 ? 0 : sharedSigns(a, b).same / smaller;
}

/**
 * How much `a` and `b` point the same way: over the positions both keep, those with the same sign minus those
 * with opposite signs, over the smaller count. 1 for a copy, about 0 for noise, negative for a sign flip.
 */
export function agreement(a: SparseUpdate, b: SparseUpdate): number {
  const smaller = Math.min(a.indices.length, b.indices.length);
  if (smaller === 0) return 0;
  const { same, opposite } = sharedSigns(a, b);
  return (same - opposite) / smaller;
}

export function screen(candidates: readonly Candidate[], context: ScreenContext, options: ScreenOptions = SCREEN_DEFAULTS): Verdict[] {
  // Arrival order decides copies; ties by hash, so the verdicts do not depend on the order given.
  const ordered = [...candidates].sort((a, b) => a.receivedAt - b.receivedAt || (a.hash < b.hash ? -1 : 1));
  const norms = new Map(ordered.map((c) => [c.hash, l2(c.update)]));
  const verdicts = new Map<string, Verdict>();
  const reject = (c: Candidate, reason: RejectionReason) => verdicts.set(c.hash, { hash: c.hash, accepted: false, reason, norm: norms.get(c.hash)! });

  const payloads = new Set<string>();
  const plausible: Candidate[] = [];
  /** Arrival order of every candidate with a well-formed update of this round, whatever its verdict. */
  const position = new Map<string, number>();
  const formed: Candidate[] = [];
  for (const c of ordered) {
    const { header, update } = c;
    if (header.runId !== context.runId) reject(c, 'wrong-run');
    else if (header.round !== context.round) reject(c, 'wrong-round');
    else if (header.baseHash !== context.baseHash) reject(c, 'wrong-base');
    else if (!Number.isFinite(norms.get(c.hash)!)) reject(c, 'non-finite');
    else {
      position.set(c.hash, formed.length);
      formed.push(c);
    }
    if (!verdicts.has(c.hash)) {
      if (header.steps < 1 || header.steps > context.maxInnerSteps || header.samples !== header.steps * context.batchSize) reject(c, 'samples');
      else if (context.seenPayloads.has(header.payloadHash) || payloads.has(header.payloadHash)) reject(c, 'replay');
      else if (update.values.length === 0) reject(c, 'zero');
      else plausible.push(c);
    }
    payloads.add(header.payloadHash);
  }

  // The scale of an honest update: the lower median of this round's plausible norms and the recent accepted.
  const reference = median([...plausible.map((c) => norms.get(c.hash)!), ...context.recentNorms]);
  const typicalSteps = median(plausible.map((c) => c.header.steps));
  for (const c of plausible) {
    const norm = norms.get(c.hash)!;
    if (norm <= options.zeroFraction * reference) reject(c, 'zero');
    else if (norm > options.normFactor * reference) reject(c, 'norm');
    else if (norm < options.underclaimFraction * reference * Math.sqrt(c.header.steps / typicalSteps)) reject(c, 'samples');
    else if (formed.slice(0, position.get(c.hash)).some((earlier) => overlap(c.update, earlier.update) > options.copyOverlap)) reject(c, 'copy');
    else verdicts.set(c.hash, { hash: c.hash, accepted: true, norm });
  }

  // Direction, among those that passed everything else: each against the others, then against the round.
  const passing = plausible.filter((c) => verdicts.get(c.hash)?.accepted);
  if (passing.length > MIN_AGREEING) {
    // How well each agrees with at least half of the others (the upper median): honest peers need not be most.
    const upperMedian = (values: number[]) => values.sort((a, b) => a - b)[values.length >> 1]!;
    const agreeing = new Map(passing.map((c) => [c.hash, upperMedian(passing.filter((d) => d !== c).map((d) => agreement(c.update, d.update)))]));
    const typical = median([...agreeing.values()]);
    if (typical >= MIN_CONSENSUS) for (const c of passing) if (agreeing.get(c.hash)! < options.minAgreement * typical) reject(c, 'direction');
  }
  return candidates.map((c) => verdicts.get(c.hash)!);
}
