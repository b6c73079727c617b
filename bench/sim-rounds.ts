/**
 * Rounds of simulated peers in one process (sim-peer.ts), for the benchmarks and the tests that need many
 * rounds or many peers on two cores: each peer trains H steps from θ_r on its shard, compresses Δ with its
 * own error feedback (a cheat sends what worker/rounds/adversary.ts makes of it), and the round is committed
 * as a leader would: screened and scored by the real RoundVerifier (when defended), aggregated, outer step.
 * Only the transport is left out; the swarm tests cover it.
 */
import { cheatUpdate, type UpdateCheat } from '../worker/rounds/adversary.js';
import { compress } from '../worker/rounds/compress.js';
import type { Held } from '../worker/rounds/contributions.js';
import { aggregate, outerStep, type Aggregation } from '../worker/rounds/outer.js';
import { DEFAULT_RUN_SPEC } from '../worker/rounds/run-spec.js';
import { scoreCandidates } from '../worker/training/scoring.js';
import type { createGanTask } from '../worker/training/tasks/gan-task.js';
import { RoundVerifier } from '../worker/verify/round-verifier.js';
import { BATCH, trainer } from './sim-peer.js';

export const SIM_RUN = 'ad'.repeat(16);
export const SIM_SHARDS = 8;

export interface SimOptions {
  theta0: Float32Array;
  /** One entry per peer. */
  kinds: ReadonlyArray<UpdateCheat | 'honest'>;
  /** The leader's checks and median-norm; otherwise every finite update in a plain mean. */
  defended: boolean;
  rounds: number;
  h: number;
  /** A task for the leader's scorer (its own networks). */
  verifierTask: ReturnType<typeof createGanTask>;
  /** Told each refusal as it happens: `round 3 peer-1 (honest): no-improvement (gain …, expected …)`. */
  log?: (line: string) => void;
}

export interface SimOutcome {
  theta: Float32Array;
  /** `${kind}: ${reason}` → count. */
  refused: Map<string, number>;
  /** Honest contributions refused, and honest contributions in all. */
  honestRefused: number;
  honestTotal: number;
}

export async function simulateRounds({ theta0, kinds, defended, rounds, h, verifierTask, log }: SimOptions): Promise<SimOutcome> {
  const n = theta0.length;
  const spec = DEFAULT_RUN_SPEC;
  const peers = kinds.map((kind, i) => ({ kind, trainer: trainer(i % SIM_SHARDS, SIM_SHARDS, theta0, `peer-${i}`), error: new Float32Array(n) }));
  const scorer = verifierTask.createScorer();
  const verifier = new RoundVerifier({
    runId: SIM_RUN,
    batchSize: BATCH,
    maxInnerSteps: h,
    shardCount: SIM_SHARDS,
    // The simulated peers train shard i % 8 in their own order; scoring replays the shard.
    assignment: (_round, peer) => ({ shard: Number(peer.slice(5)) % SIM_SHARDS, seed: peer }),
    score: async (request) => scoreCandidates(verifierTask, scorer, request),
  });
  const aggregation: Aggregation = defended ? { name: 'median-norm' } : { name: 'mean' };
  let theta: Float32Array = Float32Array.from(theta0);
  const momentum = new Float32Array(n);
  const refused = new Map<string, number>();
  let honestRefused = 0;
  try {
    for (let round = 0; round < rounds; round++) {
      const held: Held[] = peers.map(({ kind, trainer: peer, error }, i) => {
        const local = peer.step(theta, h);
        const honest = Float32Array.from(theta, (v, j) => v - local[j]!);
        const delta = kind === 'honest' ? honest : cheatUpdate(kind, honest, `${round}/${i}`);
        const { payload, update } = compress(delta, error, { ...spec.compression });
        const hash = (round * 1000 + i).toString(16).padStart(64, '0');
        const header = { runId: SIM_RUN, round, baseHash: 'b'.repeat(64), rewardAddress: null, samples: h * BATCH, steps: h, losses: {}, payloadHash: hash, payloadBytes: payload.length };
        return { header, peerId: `peer-${i}`, bytes: new Uint8Array(0), hash, payload, update };
      });
      let accepted = held.filter((c) => c.update!.values.every(Number.isFinite));
      if (defended) {
        const verdicts = await verifier.verify(round, 'b'.repeat(64), theta, held, (c) => Number(c.peerId.slice(5)));
        for (const { held: c, reason, detail } of verdicts.rejected) {
          const kind = kinds[Number(c.peerId.slice(5))]!;
          log?.(`round ${round} ${c.peerId} (${kind}): ${reason}${detail ? ` (${detail})` : ''}`);
          if (kind === 'honest') honestRefused++;
          refused.set(`${kind}: ${reason}`, (refused.get(`${kind}: ${reason}`) ?? 0) + 1);
        }
        accepted = verdicts.accepted.map((a) => a.held);
        verifier.remember(round, accepted);
      }
      theta = outerStep(theta, aggregate(accepted.map((c) => ({ id: c.hash, update: c.update! })), n, aggregation), momentum, spec.outerOptimizer);
    }
  } finally {
    for (const { trainer: peer } of peers) peer.dispose();
    scorer.dispose();
  }
  return { theta, refused, honestRefused, honestTotal: kinds.filter((k) => k === 'honest').length * rounds };
}
