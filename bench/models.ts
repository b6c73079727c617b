/**
 * Benchmark 3: training samples/s of each model on WebAssembly with our convolution kernels, against the
 * stock JavaScript cpu backend, measured in this run. Each measurement is time-boxed: the stock cpu backend
 * needs minutes per dcgan step at batch 64, so dcgan on cpu runs at a small batch and says so.
 */
import type { BackendName, ModelName } from '../worker/api/contract.js';
import { selectBackend } from '../worker/training/backend.js';
import { bareThroughput } from './bare-loop.js';
import { runIfMain } from './stats.js';

interface Case {
  model: ModelName;
  backend: BackendName;
  batchSize: number;
}

const SECONDS = 10;

async function samplesPerSecond({ model, backend, batchSize }: Case): Promise<number> {
  await selectBackend(backend);
  return bareThroughput({ model, batchSize, seconds: SECONDS });
}

export async function run(): Promise<void> {
  console.log(`\n# 3. Model throughput: wasm with our kernels vs the stock cpu backend (≥ ${SECONDS} s each)`);
  const pairs: Array<[Case, Case]> = [
    [
      { model: 'mlp-gan', backend: 'wasm', batchSize: 64 },
      { model: 'mlp-gan', backend: 'cpu', batchSize: 64 },
    ],
    [
      { model: 'dcgan', backend: 'wasm', batchSize: 64 },
      { model: 'dcgan', backend: 'cpu', batchSize: 4 },
    ],
  ];
  for (const [ours, stock] of pairs) {
    const fast = await samplesPerSecond(ours);
    const slow = await samplesPerSecond(stock);
    console.log(
      `${ours.model.padEnd(8)} wasm ${fast.toFixed(1).padStart(8)} samples/s (batch ${ours.batchSize})   ` +
        `cpu ${slow.toFixed(2).padStart(8)} samples/s (batch ${stock.batchSize})   ratio ${(fast / slow).toFixed(1)}×`,
    );
  }
}

await runIfMain(import.meta.url, run);
