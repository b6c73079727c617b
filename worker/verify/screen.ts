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
 *  - `norm`: a norm far outside the round's distribution (over `normFactor` × the median of this round and
 *    the recent accepted ones — the history keeps one peer with a huge update from moving the median);
 *  - `samples` again: an update far smaller than the training it claims gives (a free rider: one step trained,
 *    ten claimed), judged against the typical norm scaled by √(claimed steps / typical steps);
 *  - `copy`: its kept positions overlap an earlier contribution's by more than `copyOverlap` with the values
 *    pointing the same way (Templar penalises index overlap above 0.4; see SCREEN_DEFAULTS for ours): the
 *    later arrival loses.
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
  /** L2 norms of recently accepted updates (a few rounds' worth). */
  recentNorms: readonly number[];
}

export interface ScreenOptions {
  zeroFraction: number;
  /**
   * An update below this share of the norm its claimed steps should give is a free rider's. Not higher: an
   * honest newcomer's first update, with no error feedback behind it yet, is smaller than the others'.
   */
  underclaimFraction: number;
  normFactor: number;
  copyOverlap: number;
}

/**
 * `copyOverlap`: honest peers' top-k positions overlap more than Templar's 0.4 under this codec (top 64 of
 * every 4096 by magnitude, error feedback): 0.36–0.53 measured between 5 honest mlp-gan peers at H 30 over 8
 * rounds (0.09–0.15 at H 10 from round 0). A copy with a little noise on it keeps 0.9 and more.
 */
export const SCREEN_DEFAULTS: ScreenOptions = { zeroFraction: 0.01, underclaimFraction: 0.3, normFactor: 8, copyOverlap: 0.75 };

export type Verdict = { hash: string; accepted: true; norm: number } | { hash: string; accepted: false; reason: RejectionReason; norm: number };

/**
 * The share of `a`'s kept positions that `b` keeps too with a value of the same sign, over the smaller of the
 * two counts. Both index lists are ascending (as the codec decodes them), so one merge pass.
 */
export function overlap(a: SparseUpdate, b: SparseUpdate): number {
  const smaller = Math.min(a.indices.length, b.indices.length);
  if (smaller === 0) return 0;
  let same = 0;
  for (let i = 0, j = 0; i < a.indices.length && j < b.indices.length; ) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) {
      if (Math.sign(a.values[i]!) === Math.sign(b.values[j]!)) same++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return same / smaller;
}

export function screen(candidates: readonly Candidate[], context: ScreenContext, options: ScreenOptions = SCREEN_DEFAULTS): Verdict[] {
  // Arrival order decides copies; ties by hash, so the verdicts do not depend on the order given.
  const ordered = [...candidates].sort((a, b) => a.receivedAt - b.receivedAt || (a.hash < b.hash ? -1 : 1));
  const norms = new Map(ordered.map((c) => [c.hash, l2(c.update)]));
  const verdicts = new Map<string, Verdict>();
  const reject = (c: Candidate, reason: RejectionReason) => verdicts.set(c.hash, { hash: c.hash, accepted: false, reason, norm: norms.get(c.hash)! });

  const payloads = new Set<string>();
  const plausible: Candidate[] = [];
  for (const c of ordered) {
    const { header, update } = c;
    if (header.runId !== context.runId) reject(c, 'wrong-run');
    else if (header.round !== context.round) reject(c, 'wrong-round');
    else if (header.baseHash !== context.baseHash) reject(c, 'wrong-base');
    else if (!Number.isFinite(norms.get(c.hash)!)) reject(c, 'non-finite');
    else if (header.steps < 1 || header.steps > context.maxInnerSteps || header.samples !== header.steps * context.batchSize) reject(c, 'samples');
    else if (context.seenPayloads.has(header.payloadHash) || payloads.has(header.payloadHash)) reject(c, 'replay');
    else if (update.values.length === 0) reject(c, 'zero');
    else plausible.push(c);
    payloads.add(header.payloadHash);
  }

  // The scale of an honest update: the median of this round's plausible norms and the recent accepted ones.
  const reference = median([...plausible.map((c) => norms.get(c.hash)!), ...context.recentNorms]);
  const typicalSteps = median(plausible.map((c) => c.header.steps));
  const kept: Candidate[] = [];
  for (const c of plausible) {
    const norm = norms.get(c.hash)!;
    if (norm <= options.zeroFraction * reference) reject(c, 'zero');
    else if (norm > options.normFactor * reference) reject(c, 'norm');
    else if (norm < options.underclaimFraction * reference * Math.sqrt(c.header.steps / typicalSteps)) reject(c, 'samples');
    else if (kept.some((earlier) => overlap(c.update, earlier.update) > options.copyOverlap)) reject(c, 'copy');
    else {
      kept.push(c);
      verdicts.set(c.hash, { hash: c.hash, accepted: true, norm });
    }
  }
  return candidates.map((c) => verdicts.get(c.hash)!);
}
