/**
 * Benchmark 5: what a round costs on the wire. Bytes one peer sends per round with the run's SparseLoCo
 * codec, against the data-parallel baseline measured in the same run — a dense float32 ring all-reduce of the
 * gradient after every inner step (2·(n−1)/n · 4 bytes per parameter per step) — over a few values of H
 * (inner steps per round) and k (values kept per 4096-value chunk), on the default run's model size. Also
 * the time to compress and to decode one contribution. Quality at these settings needs the rounds themselves
 * and comes with them.
 */
import type { ModelName } from '../worker/api/contract.js';
import { compress, decompress } from '../worker/rounds/compress.js';
import { DEFAULT_RUN_SPEC } from '../worker/rounds/run-spec.js';
import { gaussianArray, seededPrng } from '../worker/training/data/prng.js';
import { getModel } from '../worker/training/models/registry.js';
import { manifestOf } from '../worker/training/weights.js';
import { median, runIfMain } from './stats.js';
import { preciseNow } from '../worker/training/protocol.js';

const PEERS = 8;

function parameterCount(model: ModelName): number {
  const { generator, discriminator } = getModel(model).build([28, 28, 1]);
  const size = manifestOf({ generator, discriminator }).size;
  generator.dispose();
  discriminator.dispose();
  return size;
}

export async function run(): Promise<void> {
  const { model, compression } = DEFAULT_RUN_SPEC;
  const n = parameterCount(model);
  const denseStepBytes = ((2 * (PEERS - 1)) / PEERS) * 4 * n;
  console.log(`\n# 5. Communication per peer per round (${model}, ${n.toLocaleString('en')} parameters, ${PEERS} peers)`);
  console.log(`dense fp32 ring all-reduce: ${(denseStepBytes / 1e6).toFixed(2)} MB per inner step`);
  const delta = gaussianArray(seededPrng('bench-delta'), n);
  for (const k of [32, 64, 128]) {
    const options = { ...compression, k };
    const times: number[] = [];
    let bytes = 0;
    let decodeMs = 0;
    for (let i = 0; i < 3; i++) {
      const started = preciseNow();
      const { payload } = compress(delta, new Float32Array(n), options);
      times.push(preciseNow() - started);
      bytes = payload.length;
      const decodeStarted = preciseNow();
      decompress(payload, n);
      decodeMs = preciseNow() - decodeStarted;
    }
    const ratios = [1, 30, 100].map((h) => `H=${h}: ${Math.round((h * denseStepBytes) / bytes).toLocaleString('en')}×`).join('   ');
    console.log(
      `k=${String(k).padEnd(4)} ${(bytes / 1e3).toFixed(1)} kB per round   less traffic than dense, ${ratios}` +
        `   (compress ${median(times).toFixed(0)} ms, decode ${decodeMs.toFixed(0)} ms)`,
    );
  }
}

await runIfMain(import.meta.url, run);
