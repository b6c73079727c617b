/**
 * Benchmark 9: quality with 30 % adversaries. Ten simulated peers (bench/sim-peer.ts) train mlp-gan in rounds,
 * three of them cheating (by default one each of noise, signflip and scaled, worker/rounds/adversary.ts). The
 * same honest samples three ways, in one run: the seven honest peers alone (the baseline), the seven with the
 * three cheats and no defence (plain mean, no checks), and the same with the leader's checks (worker/verify/)
 * and median-norm aggregation. Printed: the FID-style distance of each, the defended swarm's gap to the honest
 * one (issue 7's target: within 5 %), and what the checks refused, honest contributions included.
 * `AIRTIST_BENCH_ADVERSARY_ROUNDS` (default 8) and `AIRTIST_BENCH_ADVERSARIES=noise,signflip,scaled`.
 */
import { cheatUpdate, UPDATE_CHEATS, type UpdateCheat } from '../worker/rounds/adversary.js';
import { compress } from '../worker/rounds/compress.js';
import type { Held } from '../worker/rounds/contributions.js';
import { aggregate, outerStep, type Aggregation } from '../worker/rounds/outer.js';
import { DEFAULT_RUN_SPEC } from '../worker/rounds/run-spec.js';
import { selectBackend } from '../worker/training/backend.js';
import { seededGanWeights } from '../worker/training/quality.js';
import { scoreCandidates } from '../worker/training/scoring.js';
import { createGanTask } from '../worker/training/tasks/gan-task.js';
import { RoundVerifier } from '../worker/verify/round-verifier.js';
import { BATCH, fd, trainer } from './sim-peer.js';
import { runIfMain } from './stats.js';

const HONEST = 7;
const H = 30;
const ROUNDS = Number(process.env.AIRTIST_BENCH_ADVERSARY_ROUNDS ?? 8);
const KINDS = (process.env.AIRTIST_BENCH_ADVERSARIES ?? 'noise,signflip,scaled').split(',').filter((k): k is UpdateCheat => (UPDATE_CHEATS as readonly string[]).includes(k));
const RUN = 'ad'.repeat(16);
const SHARDS = 8;

interface Outcome {
  fd: number;
  refused: Map<string, number>;
  honestRefused: number;
}

async function swarm(theta0: Float32Array, cheats: readonly UpdateCheat[], defended: boolean, verifierTask: ReturnType<typeof createGanTask>): Promise<Outcome> {
  const n = theta0.length;
  const spec = DEFAULT_RUN_SPEC;
  const kinds: Array<UpdateCheat | 'honest'> = [...Array.from({ length: HONEST }, () => 'honest' as const), ...cheats];
  const peers = kinds.map((kind, i) => ({ kind, trainer: trainer(i % SHARDS, SHARDS, theta0, `peer-${i}`), error: new Float32Array(n) }));
  const scorer = verifierTask.createScorer();
  const verifier = new RoundVerifier({
    runId: RUN,
    batchSize: BATCH,
    maxInnerSteps: H,
    shardCount: SHARDS,
    // The simulated peers train shard i % 8 in their own order; scoring replays the shard.
    assignment: (_round, peer) => ({ shard: Number(peer.slice(5)) % SHARDS, seed: peer }),
    score: async (request) => scoreCandidates(verifierTask, scorer, request),
  });
  const aggregation: Aggregation = defended ? { name: 'median-norm' } : { name: 'mean' };
  let theta: Float32Array = Float32Array.from(theta0);
  const momentum = new Float32Array(n);
  const refused = new Map<string, number>();
  let honestRefused = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const held: Held[] = peers.map(({ kind, trainer: peer, error }, i) => {
      const local = peer.step(theta, H);
      const honest = Float32Array.from(theta, (v, j) => v - local[j]!);
      const delta = kind === 'honest' ? honest : cheatUpdate(kind, honest, `${round}/${i}`);
      const { payload, update } = compress(delta, error, { ...spec.compression });
      const hash = (round * 1000 + i).toString(16).padStart(64, '0');
      const header = { runId: RUN, round, baseHash: 'b'.repeat(64), rewardAddress: null, samples: H * BATCH, steps: H, losses: {}, payloadHash: hash, payloadBytes: payload.length };
      return { header, peerId: `peer-${i}`, bytes: new Uint8Array(0), hash, payload, update };
    });
    let accepted = held.filter((c) => c.update!.values.every(Number.isFinite));
    if (defended) {
      const verdicts = await verifier.verify(round, 'b'.repeat(64), theta, held, (c) => Number(c.peerId.slice(5)));
      for (const { held: c, reason } of verdicts.rejected) {
        const kind = kinds[Number(c.peerId.slice(5))]!;
        if (kind === 'honest') honestRefused++;
        refused.set(`${kind}: ${reason}`, (refused.get(`${kind}: ${reason}`) ?? 0) + 1);
      }
      accepted = verdicts.accepted.map((a) => a.held);
      verifier.remember(round, accepted);
    }
    theta = outerStep(theta, aggregate(accepted.map((c) => ({ id: c.hash, update: c.update! })), n, aggregation), momentum, spec.outerOptimizer);
  }
  for (const { trainer: peer } of peers) peer.dispose();
  scorer.dispose();
  const quality = theta.every(Number.isFinite) ? await fd(theta) : Number.POSITIVE_INFINITY;
  return { fd: quality, refused, honestRefused };
}

export async function run(): Promise<void> {
  await selectBackend('wasm');
  const theta0 = seededGanWeights('mlp-gan', 'mnist', DEFAULT_RUN_SPEC.seed);
  const verifierTask = createGanTask({ model: 'mlp-gan', dataset: 'mnist', runId: RUN, shard: 0, shardCount: SHARDS });
  const share = Math.round((KINDS.length / (HONEST + KINDS.length)) * 100);
  console.log(`\n# 9. Quality with ${share} % adversaries (${HONEST} honest + ${KINDS.join(', ')}; mlp-gan, H ${H}, ${ROUNDS} rounds, batch ${BATCH}; FD, lower is better)`);
  const honest = await swarm(theta0, [], false, verifierTask);
  console.log(`${HONEST} honest peers alone:                       FD ${honest.fd.toFixed(1)}`);
  const undefended = await swarm(theta0, KINDS, false, verifierTask);
  console.log(`with the adversaries, plain mean, no checks:  FD ${undefended.fd.toFixed(1)}`);
  const defended = await swarm(theta0, KINDS, true, verifierTask);
  const gap = ((defended.fd / honest.fd - 1) * 100).toFixed(1);
  console.log(`with the adversaries, checks + median-norm:   FD ${defended.fd.toFixed(1)} (${Number(gap) > 0 ? '+' : ''}${gap} % vs honest alone; target within 5 %)`);
  console.log(`  refused: ${[...defended.refused].map(([what, count]) => `${what} ×${count}`).join(', ') || 'nothing'} · honest contributions refused: ${defended.honestRefused} of ${HONEST * ROUNDS}`);
}

await runIfMain(import.meta.url, run);
