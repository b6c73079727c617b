/**
 * What a leader does with a round's contributions before it commits: the cheap screen first (screen.ts),
 * then the survivors scored by the trainer thread on the data each was assigned and on data none was
 * (scoring.ts), then the verdicts (score.ts). It keeps the recent history the checks judge by — payload
 * hashes, accepted norms and gains — which every peer updates from the commits it adopts, so a fallback
 * leader judges much as the first one would have.
 */
import { createHash } from 'node:crypto';
import type { Held } from '../rounds/contributions.js';
import type { Improvement, ScoreRequest } from '../training/scoring.js';
import type { Assignment } from '../training/task.js';
import type { RejectionReason } from './reasons.js';
import { judge, SCORE_DEFAULTS, type ScoreOptions } from './score.js';
import { l2 } from '../rounds/sparse-stats.js';
import { planAudit } from './audit.js';
import type { Reputation } from './reputation.js';
import { RecentValues } from './scale.js';
import { screen, SCREEN_DEFAULTS, type ScreenOptions } from './screen.js';

export interface RoundVerdicts {
  accepted: Array<{ held: Held; score: number }>;
  /** `detail`: for a scored one, its gain against the gain expected of its steps (for the log). */
  rejected: Array<{ held: Held; reason: RejectionReason; detail?: string }>;
}

export interface VerifierOptions {
  runId: string;
  batchSize: number;
  maxInnerSteps: number;
  shardCount: number;
  /** The data a contributor was assigned in a round (the driver's own rule). */
  assignment(round: number, peer: string): Assignment;
  score(request: ScoreRequest): Promise<Improvement[]>;
  screen?: ScreenOptions;
  scoring?: ScoreOptions;
  /** Rows of each scoring batch: small and fixed, so scoring keeps up with the round (64 by default). */
  rows?: number;
  /** Contributions scored at most in a round; past it, an audit sample (audit.ts). */
  budget?: number;
}

/** Rounds of payload hashes kept against replays, and of accepted norms and gains that top up a round's scale. */
const PAYLOAD_ROUNDS = 16;
/**
 * Scored per round at most. Measured (bench/verify-scoring.ts, mlp-gan on WebAssembly, 2 cores): the whole
 * check costs 88–108 ms per contribution, idle or beside a busy program, so 48 take about 5 s of the leader's
 * trainer thread — 4 % of the run's 120 s round. Past it, reputed peers are sampled (audit.ts).
 */
export const SCORING_BUDGET = 48;
const SCALE_ROUNDS = 2;

const digest = (text: string) => createHash('sha256').update(text).digest();

export class RoundVerifier {
  private readonly payloads = new Map<number, Set<string>>();
  private readonly norms = new RecentValues(SCALE_ROUNDS);
  private readonly gains = new RecentValues(SCALE_ROUNDS);
  /** The gains this peer measured when it last scored a round (as a leader or fallback). */
  private measured: { round: number; gains: Map<string, number> } | null = null;

  constructor(private readonly options: VerifierOptions) {}

  /** `reputation`: the table the round started from, which decides the audit sample when there are many. */
  async verify(round: number, baseHash: string, base: Float32Array, held: readonly Held[], receivedAt: (c: Held) => number, reputation: Reputation = []): Promise<RoundVerdicts> {
    const { options } = this;
    const byHash = new Map(held.map((c) => [c.hash, c]));
    const seenPayloads = new Set([...this.payloads].filter(([r]) => r < round).flatMap(([, set]) => [...set]));
    const screened = screen(
      held.map((c) => ({ hash: c.hash, peer: c.peerId, header: c.header, update: c.update!, receivedAt: receivedAt(c) })),
      { runId: options.runId, round, baseHash, batchSize: options.batchSize, maxInnerSteps: options.maxInnerSteps, seenPayloads, recentNorms: this.norms.before(round) },
      options.screen ?? SCREEN_DEFAULTS,
    );
    const rejected: RoundVerdicts['rejected'] = [];
    const passed: Held[] = [];
    for (const verdict of screened) {
      const c = byHash.get(verdict.hash)!;
      if (verdict.accepted) passed.push(c);
      else rejected.push({ held: c, reason: verdict.reason });
    }
    const plan = planAudit(passed, reputation, options.budget ?? SCORING_BUDGET, baseHash);
    const trusted = plan.trusted.map(({ c, score }) => ({ held: c, score }));
    const survivors = plan.scored;
    if (survivors.length === 0) return { accepted: trusted, rejected };

    // Data nobody was assigned this round would be best; a shard from the base's hash is one nobody chose.
    const random: Assignment = { shard: digest(`${baseHash}/audit`).readUInt32BE(0) % options.shardCount, seed: JSON.stringify([options.runId, round, 'audit']) };
    const improvements = await options.score({
      base,
      candidates: survivors.map((c) => ({
        indices: c.update!.indices,
        values: c.update!.values,
        assignment: options.assignment(round, c.peerId),
        // One of the steps it trained, chosen by its own hash: it cannot know which in advance.
        step: digest(c.hash).readUInt32BE(0) % Math.max(1, c.header.steps),
      })),
      random,
      rows: options.rows ?? 64,
      seed: baseHash,
    });
    const verdicts = judge(
      survivors.map((c, i) => ({ hash: c.hash, steps: c.header.steps, ...improvements[i]! })),
      this.gains.before(round),
      options.scoring ?? SCORE_DEFAULTS,
    );
    this.measured = { round, gains: new Map(verdicts.map((v) => [v.hash, v.gain])) };
    const accepted: RoundVerdicts['accepted'] = [...trusted];
    verdicts.forEach((verdict, i) => {
      if (verdict.accepted) accepted.push({ held: survivors[i]!, score: verdict.score });
      else rejected.push({ held: survivors[i]!, reason: verdict.reason, detail: `gain ${verdict.gain.toPrecision(3)}, expected ${verdict.expected.toPrecision(3)}` });
    });
    return { accepted, rejected };
  }

  /** A committed round's accepted contributions become the history later rounds are judged by. */
  remember(round: number, accepted: readonly Held[]): void {
    // Gains are known only where this peer scored the round itself; the commit carries scores, not gains.
    const gains = this.measured?.round === round ? accepted.map((c) => this.measured!.gains.get(c.hash) ?? Number.NaN) : [];
    this.payloads.set(round, new Set(accepted.map((c) => c.header.payloadHash)));
    for (const r of this.payloads.keys()) if (r < round - PAYLOAD_ROUNDS) this.payloads.delete(r);
    this.norms.set(round, accepted.filter((c) => c.update).map((c) => l2(c.update!)));
    this.gains.set(round, gains.filter((g) => Number.isFinite(g) && g > 0));
  }
}
