/**
 * Benchmark 6 (issue 6, benchmark 1): communication against quality, in one run. PEERS simulated peers train
 * the GAN in DiLoCo rounds with the node's own machinery — the trainer's GAN step, each peer's shard and Adam
 * state, SparseLoCo compression with each peer's error feedback, the canonical mean and the outer Nesterov
 * step — for a few values of H (inner steps per round) and k (values kept per 4096). The network is only the
 * transport of these bytes (the swarm tests cover it), so it is left out here. Baselines, trained in the same
 * run on the same total samples: data-parallel training (every step on all peers' batches, with the dense fp32
 * ring all-reduce of every step: the traffic baseline), and, stricter, one node alone taking every step in
 * turn on one peer's batch size. Printed per setting: bytes per peer per round, the traffic ratio against
 * data-parallel, and the FID-style distance (quality.ts; lower is better) against both baselines'.
 * Environment:
 * - `AIRTIST_BENCH_QUALITY_STEPS`: the samples, in batches of 16 (1920).
 * - `AIRTIST_BENCH_QUALITY_SETTINGS`: the curve, comma-separated `h:k[:lr:momentum[:beta[:warm-up]]]` —
 *   outer lr and momentum, error-feedback β (a missing or empty field takes the run's), and warm-up: the first
 *   that many rounds keep k×8 values per chunk (their bytes count in the ratio).
 * - `AIRTIST_BENCH_QUALITY_SEEDS`: seeds per setting and per baseline (1); a seed changes θ0 and every batch
 *   and noise order. Printed: each seed's FD, the mean, and the gap mean against mean with its min–max spread.
 * - `AIRTIST_BENCH_QUALITY_FIRST_SEED`: the first of those seeds (0, the run's own), to add seeds in a later run.
 * - `AIRTIST_BENCH_QUALITY_SEQUENTIAL=0`: leaves the one-node baseline out of a long sweep.
 */
import { compress } from '../worker/rounds/compress.js';
import { aggregate, outerStep } from '../worker/rounds/outer.js';
import { DEFAULT_RUN_SPEC } from '../worker/rounds/run-spec.js';
import { selectBackend } from '../worker/training/backend.js';
import { seededGanWeights } from '../worker/training/quality.js';
import { BATCH, FD_SAMPLES, fd, trainer } from './sim-peer.js';
import { runIfMain } from './stats.js';

const PEERS = 4;
/** Total samples every setting trains: PEERS × H × rounds × BATCH, the same as the baseline's. */
const TOTAL_STEPS = Number(process.env.AIRTIST_BENCH_QUALITY_STEPS ?? 1920);
/** Warm-up rounds keep this many times k values per chunk. */
const WARM_UP_FACTOR = 8;
const SETTINGS = (process.env.AIRTIST_BENCH_QUALITY_SETTINGS ?? '20:64,48:64,30:32').split(',').map((setting) => {
  const [h, k, lr, momentum, beta, warmUp] = setting.split(':').map((field) => (field === '' ? undefined : Number(field)));
  const outer = DEFAULT_RUN_SPEC.outerOptimizer;
  return {
    h: h!,
    k: k!,
    outer: { lr: lr ?? outer.lr, momentum: momentum ?? outer.momentum },
    beta: beta ?? DEFAULT_RUN_SPEC.compression.beta,
    warmUp: warmUp ?? 0,
  };
});
const SEEDS = Number(process.env.AIRTIST_BENCH_QUALITY_SEEDS ?? 1);
const FIRST_SEED = Number(process.env.AIRTIST_BENCH_QUALITY_FIRST_SEED ?? 0);
/** Also train the stricter baseline (one node, every step in turn); `0` leaves it out of a long sweep. */
const SEQUENTIAL = process.env.AIRTIST_BENCH_QUALITY_SEQUENTIAL !== '0';

/** Seed 0 is the run's own θ0 and batch orders, so one seed reproduces the earlier single-seed numbers. */
const suffix = (seed: number) => (seed === 0 ? '' : `/${seed}`);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const percent = (fd: number, baseline: number) => `${fd > baseline ? '+' : ''}${((fd / baseline - 1) * 100).toFixed(1)} %`;
/** Mean against mean, with the per-seed FDs' min–max against the baseline's mean as the spread. */
const gap = (fds: number[], baseline: number[]) =>
  fds.length === 1 && baseline.length === 1
    ? percent(fds[0]!, baseline[0]!)
    : `${percent(mean(fds), mean(baseline))} [${percent(Math.min(...fds), mean(baseline))} … ${percent(Math.max(...fds), mean(baseline))}]`;
const list = (fds: number[]) => (fds.length === 1 ? `FD ${fds[0]!.toFixed(1)}` : `FD ${fds.map((v) => v.toFixed(1)).join(' / ')}, mean ${mean(fds).toFixed(1)}`);
const seconds = (since: number) => `${((performance.now() - since) / 1e3).toFixed(0)} s`;

export async function run(): Promise<void> {
  await selectBackend('wasm');
  const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST_SEED + i);
  const theta0s = seeds.map((seed) => seededGanWeights('mlp-gan', 'mnist', `${DEFAULT_RUN_SPEC.seed}${suffix(seed)}`));
  const n = theta0s[0]!.length;
  const denseStepBytes = ((2 * (PEERS - 1)) / PEERS) * 4 * n;
  console.log(
    `\n# 6. Communication vs quality (mlp-gan, ${n.toLocaleString('en')} parameters, ${PEERS} peers, ${TOTAL_STEPS * BATCH} samples each way, FD on ${FD_SAMPLES} images, ${SEEDS} seed${SEEDS === 1 ? '' : 's'})`,
  );

  const initial: number[] = [];
  for (const theta0 of theta0s) initial.push(await fd(theta0));
  console.log(`round 0: ${list(initial)}   dense fp32 ring all-reduce: ${(denseStepBytes / 1e6).toFixed(2)} MB per peer per step`);
  // The baseline the traffic is measured against, trained: data-parallel, every step on all peers' batches.
  const baseline: number[] = [];
  for (const seed of seeds) {
    const start = performance.now();
    const parallel = trainer(0, 1, theta0s[seed - FIRST_SEED]!, `parallel${suffix(seed)}`, PEERS * BATCH);
    baseline.push(await fd(parallel.step(null, TOTAL_STEPS / PEERS)));
    parallel.dispose();
    console.log(`  data-parallel seed ${seed}: FD ${baseline.at(-1)!.toFixed(1)} (${seconds(start)})`);
  }
  console.log(`data-parallel (batch ${PEERS * BATCH}, ${TOTAL_STEPS / PEERS} steps, dense all-reduce every step): ${list(baseline)}`);
  // A stricter one: one node taking every step in turn on batches of one peer's size.
  const alone: number[] = [];
  for (const seed of SEQUENTIAL ? seeds : []) {
    const sequential = trainer(0, 1, theta0s[seed - FIRST_SEED]!, `single${suffix(seed)}`);
    alone.push(await fd(sequential.step(null, TOTAL_STEPS)));
    sequential.dispose();
  }
  if (SEQUENTIAL) console.log(`one node alone (batch ${BATCH}, ${TOTAL_STEPS} steps): ${list(alone)}`);

  for (const { h, k, outer, beta, warmUp } of SETTINGS) {
    // Every setting trains exactly the baseline's samples: a rounded count of rounds would compare unequal work.
    const rounds = TOTAL_STEPS / (PEERS * h);
    if (!Number.isInteger(rounds)) {
      console.log(`H=${h}: skipped, ${PEERS} peers × ${h} steps does not divide the ${TOTAL_STEPS} steps the baselines take`);
      continue;
    }
    const name = `H=${String(h).padEnd(3)} k=${String(k).padEnd(3)} outer ${outer.lr}/${outer.momentum} β ${beta}${warmUp ? ` warm-up ${warmUp}×k${WARM_UP_FACTOR}` : ''}`;
    const fds: number[] = [];
    let bytes = 0;
    for (const seed of seeds) {
      const start = performance.now();
      const theta0 = theta0s[seed - FIRST_SEED]!;
      const peers = Array.from({ length: PEERS }, (_, i) => ({ trainer: trainer(i, PEERS, theta0, `peer-${i}${suffix(seed)}`), error: new Float32Array(n) }));
      let theta: Float32Array = Float32Array.from(theta0);
      const momentum = new Float32Array(n);
      bytes = 0;
      for (let round = 0; round < rounds; round++) {
        const kept = round < warmUp ? Math.min(DEFAULT_RUN_SPEC.compression.chunk, k * WARM_UP_FACTOR) : k;
        const updates = peers.map(({ trainer: peer, error }, i) => {
          const local = peer.step(theta, h);
          const delta = Float32Array.from(theta, (v, j) => v - local[j]!);
          const { payload, update } = compress(delta, error, { ...DEFAULT_RUN_SPEC.compression, k: kept, beta });
          bytes += payload.length;
          return { id: `peer-${i}`, update };
        });
        theta = outerStep(theta, aggregate(updates, n), momentum, outer);
      }
      for (const { trainer: peer } of peers) peer.dispose();
      fds.push(await fd(theta));
      console.log(`  ${name} seed ${seed}: FD ${fds.at(-1)!.toFixed(1)} (${percent(fds.at(-1)!, baseline[seed - FIRST_SEED]!)} vs its seed's data-parallel, ${seconds(start)})`);
    }
    const perPeerRound = bytes / (PEERS * rounds);
    console.log(
      `${name}  ${rounds} rounds   ${(perPeerRound / 1e3).toFixed(1)} kB per peer per round   ` +
        `${Math.round((h * denseStepBytes) / perPeerRound).toLocaleString('en')}× less traffic than dense   ` +
        `${list(fds)} (${gap(fds, baseline)} vs data-parallel${SEQUENTIAL ? `, ${gap(fds, alone)} vs one node alone` : ''})`,
    );
  }
}

await runIfMain(import.meta.url, run);
