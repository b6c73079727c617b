/**
 * Benchmark 3: training samples/s of each model on WebAssembly with our convolution kernels, against the
 * stock JavaScript cpu backend, measured in this run. Each measurement is time-boxed: the stock cpu backend
 * needs minutes per dcgan step at batch 64, so dcgan on cpu runs at a small batch and says so.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendName, ModelName } from '../worker/api/contract.js';
import { selectBackend } from '../worker/training/backend.js';
import { loadDataset } from '../worker/training/data/datasets.js';
import { batchIndices, gatherBatch, shardIndices } from '../worker/training/data/shards.js';
import { trainStep } from '../worker/training/gan.js';
import { getModel } from '../worker/training/models/registry.js';
import { preciseNow } from '../worker/training/protocol.js';
import { runIfMain } from './stats.js';

interface Case {
  model: ModelName;
  backend: BackendName;
  batchSize: number;
}

const SECONDS = 10;

async function samplesPerSecond({ model, backend, batchSize }: Case): Promise<number> {
  await selectBackend(backend);
  const dataset = loadDataset('mnist');
  const shard = shardIndices(dataset.count, 8, 0);
  const definition = getModel(model);
  const models = definition.build([dataset.height, dataset.width, dataset.channels]);
  const optimizers = definition.createOptimizers();
  const step = (i: number) => {
    const real = tf.tensor4d(gatherBatch(dataset, batchIndices(shard, 'bench', i, batchSize)), [
      batchSize,
      dataset.height,
      dataset.width,
      dataset.channels,
    ]);
    trainStep(models, optimizers, real);
    real.dispose();
  };
  step(0); // warm-up
  let steps = 0;
  const start = preciseNow();
  do step(1 + steps++);
  while (preciseNow() - start < SECONDS * 1000 && steps < 10_000);
  const rate = (steps * batchSize) / ((preciseNow() - start) / 1000);
  tf.dispose([models.generator, models.discriminator] as never);
  optimizers.generator.dispose();
  optimizers.discriminator.dispose();
  return rate;
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
