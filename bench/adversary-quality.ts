/**
 * Benchmark 9: quality with 30 % adversaries. Ten simulated peers (bench/sim-peer.ts) train mlp-gan in rounds,
 * three of them cheating (by default one each of noise, signflip and scaled, worker/rounds/adversary.ts). The
 * same honest samples three ways, in one run: the seven honest peers alone (the baseline), the seven with the
 * three cheats and no defence (plain mean, no checks), and the same with the leader's checks (worker/verify/)
 * and median-norm aggregation. Printed: the FID-style distance of each, the defended swarm's gap to the honest
 * one (issue 7's target: within 5 %), and what the checks refused, honest contributions included.
 * `AIRTIST_BENCH_ADVERSARY_ROUNDS` (default 8) and `AIRTIST_BENCH_ADVERSARIES=noise,signflip,scaled`.
 */
import { UPDATE_CHEATS, type UpdateCheat } from '../worker/rounds/adversary.js';
import { DEFAULT_RUN_SPEC } from '../worker/rounds/run-spec.js';
import { selectBackend } from '../worker/training/backend.js';
import { seededGanWeights } from '../worker/training/quality.js';
import { createGanTask } from '../worker/training/tasks/gan-task.js';
import { BATCH, fd } from './sim-peer.js';
import { SIM_RUN, SIM_SHARDS, simulateRounds } from './sim-rounds.js';
import { runIfMain } from './stats.js';

const HONEST = 7;
const H = 30;
const ROUNDS = Number(process.env.AIRTIST_BENCH_ADVERSARY_ROUNDS ?? 8);
const KINDS = (process.env.AIRTIST_BENCH_ADVERSARIES ?? 'noise,signflip,scaled').split(',').filter((k): k is UpdateCheat => (UPDATE_CHEATS as readonly string[]).includes(k));
interface Outcome {
  fd: number;
  refused: Map<string, number>;
  honestRefused: number;
}

async function swarm(theta0: Float32Array, cheats: readonly UpdateCheat[], defended: boolean, verifierTask: ReturnType<typeof createGanTask>): Promise<Outcome> {
  const kinds = [...Array.from({ length: HONEST }, () => 'honest' as const), ...cheats];
  const outcome = await simulateRounds({ theta0, kinds, defended, rounds: ROUNDS, h: H, verifierTask });
  return { fd: outcome.theta.every(Number.isFinite) ? await fd(outcome.theta) : Number.POSITIVE_INFINITY, refused: outcome.refused, honestRefused: outcome.honestRefused };
}

export async function run(): Promise<void> {
  await selectBackend('wasm');
  const theta0 = seededGanWeights('mlp-gan', 'mnist', DEFAULT_RUN_SPEC.seed);
  const verifierTask = createGanTask({ model: 'mlp-gan', dataset: 'mnist', runId: SIM_RUN, shard: 0, shardCount: SIM_SHARDS });
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
