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
 * `AIRTIST_BENCH_QUALITY_STEPS` sets the samples (in batches of 16), `AIRTIST_BENCH_QUALITY_SETTINGS` the curve.
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
/** `h:k[:outer lr:outer momentum]`, comma-separated; the outer optimizer defaults to the run's. */
const SETTINGS = (process.env.AIRTIST_BENCH_QUALITY_SETTINGS ?? '20:64,48:64,30:32').split(',').map((setting) => {
  const [h, k, lr, momentum] = setting.split(':').map(Number);
  const outer = DEFAULT_RUN_SPEC.outerOptimizer;
  return { h: h!, k: k!, outer: { lr: lr ?? outer.lr, momentum: momentum ?? outer.momentum } };
});
/** Also train the stricter baseline (one node, every step in turn); `0` leaves it out of a long sweep. */
const SEQUENTIAL = process.env.AIRTIST_BENCH_QUALITY_SEQUENTIAL !== '0';

const gap = (fd: number, baseline: number) => `${fd > baseline ? '+' : ''}${((fd / baseline - 1) * 100).toFixed(1)} %`;

export async function run(): Promise<void> {
  await selectBackend('wasm');
  const theta0 = seededGanWeights('mlp-gan', 'mnist', DEFAULT_RUN_SPEC.seed);
  const n = theta0.length;
  const denseStepBytes = ((2 * (PEERS - 1)) / PEERS) * 4 * n;
  console.log(`\n# 6. Communication vs quality (mlp-gan, ${n.toLocaleString('en')} parameters, ${PEERS} peers, ${TOTAL_STEPS * BATCH} samples each way, FD on ${FD_SAMPLES} images)`);

  console.log(`round 0: FD ${(await fd(theta0)).toFixed(1)}   dense fp32 ring all-reduce: ${(denseStepBytes / 1e6).toFixed(2)} MB per peer per step`);
  // The baseline the traffic is measured against, trained: data-parallel, every step on all peers' batches.
  const parallel = trainer(0, 1, theta0, 'parallel', PEERS * BATCH);
  const baseline = await fd(parallel.step(null, TOTAL_STEPS / PEERS));
  parallel.dispose();
  console.log(`data-parallel (batch ${PEERS * BATCH}, ${TOTAL_STEPS / PEERS} steps, dense all-reduce every step): FD ${baseline.toFixed(1)}`);
  // A stricter one: one node taking every step in turn on batches of one peer's size.
  const sequential = SEQUENTIAL ? trainer(0, 1, theta0, 'single') : null;
  const alone = sequential ? await fd(sequential.step(null, TOTAL_STEPS)) : null;
  sequential?.dispose();
  if (alone !== null) console.log(`one node alone (batch ${BATCH}, ${TOTAL_STEPS} steps): FD ${alone.toFixed(1)}`);

  for (const { h, k, outer } of SETTINGS) {
    // Every setting trains exactly the baseline's samples: a rounded count of rounds would compare unequal work.
    const rounds = TOTAL_STEPS / (PEERS * h);
    if (!Number.isInteger(rounds)) {
      console.log(`H=${h}: skipped, ${PEERS} peers × ${h} steps does not divide the ${TOTAL_STEPS} steps the baselines take`);
      continue;
    }
    const peers = Array.from({ length: PEERS }, (_, i) => ({ trainer: trainer(i, PEERS, theta0, `peer-${i}`), error: new Float32Array(n) }));
    let theta: Float32Array = Float32Array.from(theta0);
    const momentum = new Float32Array(n);
    let bytes = 0;
    for (let round = 0; round < rounds; round++) {
      const updates = peers.map(({ trainer: peer, error }, i) => {
        const local = peer.step(theta, h);
        const delta = Float32Array.from(theta, (v, j) => v - local[j]!);
        const { payload, update } = compress(delta, error, { ...DEFAULT_RUN_SPEC.compression, k });
        bytes += payload.length;
        return { id: `peer-${i}`, update };
      });
      theta = outerStep(theta, aggregate(updates, n), momentum, outer);
    }
    for (const { trainer: peer } of peers) peer.dispose();
    const perPeerRound = bytes / (PEERS * rounds);
    const quality = await fd(theta);
    console.log(
      `H=${String(h).padEnd(3)} k=${String(k).padEnd(3)} outer ${outer.lr}/${outer.momentum}  ${rounds} rounds   ${(perPeerRound / 1e3).toFixed(1)} kB per peer per round   ` +
        `${Math.round((h * denseStepBytes) / perPeerRound).toLocaleString('en')}× less traffic than dense   ` +
        `FD ${quality.toFixed(1)} (${gap(quality, baseline)} vs data-parallel${alone === null ? '' : `, ${gap(quality, alone)} vs one node alone`})`,
    );
  }
}

await runIfMain(import.meta.url, run);
