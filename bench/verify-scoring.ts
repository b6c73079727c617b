/**
 * Benchmark 8: what checking a round costs its leader. For 4, 16 and 64 contributions of mlp-gan, the time of
 * the whole check as the leader runs it (the screen, then each survivor scored on its assigned data and on
 * other data, 64 rows each, then the verdicts), per contribution and as a share of the round: against the
 * run's 120 s window, and against what one contributor's round of training costs on the same machine (H
 * steps of the run's batch), the baseline measured in the same run. Idle and beside a busy program.
 * `AIRTIST_BENCH_SCORING=4,16,64` sets the counts.
 */
import { compress } from '../worker/rounds/compress.js';
import type { Held } from '../worker/rounds/contributions.js';
import { DEFAULT_RUN_SPEC } from '../worker/rounds/run-spec.js';
import { selectBackend } from '../worker/training/backend.js';
import { gaussianArray, seededPrng } from '../worker/training/data/prng.js';
import { scoreCandidates } from '../worker/training/scoring.js';
import { createGanTask } from '../worker/training/tasks/gan-task.js';
import { RoundVerifier } from '../worker/verify/round-verifier.js';
import { underLoads } from './load.js';
import { median, runIfMain } from './stats.js';

const COUNTS = (process.env.AIRTIST_BENCH_SCORING ?? '4,16,64').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const RUN = 'ab'.repeat(16);
const BASE = 'cd'.repeat(32);
const REPEATS = 3;
/** Steps of training timed for the baseline; the round's H steps cost H / this times as much. */
const BASELINE_STEPS = 10;

export async function run(): Promise<void> {
  const backend = await selectBackend('wasm');
  const spec = DEFAULT_RUN_SPEC;
  const task = createGanTask({ model: 'mlp-gan', dataset: 'mnist', runId: RUN, shard: 0, shardCount: spec.shardCount });
  const base = task.seededWeights(spec.seed);
  const scorer = task.createScorer();

  // Updates of an honest update's size, as many as the largest round needs: random ones, so no two are copies
  // and each is scored (what they score does not change what scoring costs).
  const train = (steps: number) => {
    task.writeWeights(Float32Array.from(base));
    const started = performance.now();
    for (let step = 0; step < steps; step++) {
      const batch = task.batch(step, spec.batchSize);
      const running = task.trainStep(batch, spec.batchSize);
      while (!running.next().done);
      batch.dispose();
    }
    return { seconds: (performance.now() - started) / 1000, local: task.readWeights() };
  };
  const { local } = train(BASELINE_STEPS);
  const delta = Float32Array.from(base, (v, i) => v - local[i]!);
  const contributions: Held[] = Array.from({ length: Math.max(...COUNTS) }, (_, n) => {
    const scale = Math.sqrt(delta.reduce((sum, v) => sum + v * v, 0) / delta.length);
    const varied = gaussianArray(seededPrng(`bench-${n}`), delta.length).map((z) => z * scale);
    const { payload, update } = compress(varied, new Float32Array(delta.length), spec.compression);
    const hash = n.toString(16).padStart(64, '0');
    const header = { runId: RUN, round: 0, baseHash: BASE, rewardAddress: null, samples: BASELINE_STEPS * spec.batchSize, steps: BASELINE_STEPS, losses: {}, payloadHash: hash, payloadBytes: payload.length };
    return { header, peerId: `peer-${n}`, bytes: new Uint8Array(0), hash, payload, update };
  });
  const verifier = new RoundVerifier({
    runId: RUN,
    batchSize: spec.batchSize,
    maxInnerSteps: spec.round.maxInnerSteps,
    shardCount: spec.shardCount,
    assignment: (round, peer) => ({ shard: peer.length % spec.shardCount, seed: `${round}/${peer}` }),
    score: async (request) => scoreCandidates(task, scorer, request),
  });

  console.log(`\n# 8. Checking a round as its leader (mlp-gan, ${base.length.toLocaleString('en')} parameters, backend ${backend}, 64-row scoring batches)`);
  await underLoads(async (load) => {
    const round = median(Array.from({ length: REPEATS }, () => train(BASELINE_STEPS).seconds)) * (spec.round.maxInnerSteps / BASELINE_STEPS);
    console.log(`${load}: one contributor's round of training (H ${spec.round.maxInnerSteps} × batch ${spec.batchSize}) ≈ ${round.toFixed(1)} s`);
    for (const count of COUNTS) {
      const times: number[] = [];
      let scored = 0;
      for (let repeat = 0; repeat < REPEATS; repeat++) {
        const started = performance.now();
        const verdicts = await verifier.verify(0, BASE, base, contributions.slice(0, count), (c) => Number(`0x${c.hash.slice(-8)}`));
        times.push((performance.now() - started) / 1000);
        scored = verdicts.accepted.length + verdicts.rejected.filter((r) => r.reason === 'no-improvement').length;
      }
      const seconds = median(times);
      console.log(
        `  ${String(count).padStart(3)} contributions: ${seconds.toFixed(2)} s (${((seconds / count) * 1000).toFixed(0)} ms each, ${scored} scored) · ` +
          `${((seconds / spec.round.seconds) * 100).toFixed(1)} % of the ${spec.round.seconds} s round · ratio to one round of training ${(seconds / round).toFixed(3)}`,
      );
    }
  });
  scorer.dispose();
}

await runIfMain(import.meta.url, run);
