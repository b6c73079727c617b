/**
 * The baseline the benchmarks compare against: a plain tfjs loop on the current backend, gathering a batch
 * from a shard and taking one GAN step, over and over, with nothing else going on.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelName } from '../worker/api/contract.js';
import { loadDataset } from '../worker/training/data/datasets.js';
import { batchIndices, gatherBatch, shardIndices } from '../worker/training/data/shards.js';
import { trainStep } from '../worker/training/gan.js';
import { getModel } from '../worker/training/models/registry.js';
import { preciseNow } from '../worker/training/protocol.js';

export interface BareLoop {
  model: ModelName;
  batchSize: number;
  /** Rows per micro-step (default: the whole batch). */
  microBatch?: number;
  /** Measures for at least this long, after warm-up steps. */
  seconds: number;
  warmupSteps?: number;
}

/** Samples per second of the loop. */
export function bareThroughput({ model, batchSize, microBatch = batchSize, seconds, warmupSteps = 1 }: BareLoop): number {
  const dataset = loadDataset('mnist');
  const shard = shardIndices(dataset.count, 8, 0);
  const definition = getModel(model);
  const models = definition.build([dataset.height, dataset.width, dataset.channels]);
  const optimizers = definition.createOptimizers();
  const step = (i: number) => {
    const indices = batchIndices(shard, 'bench', i, batchSize);
    const real = tf.tensor4d(gatherBatch(dataset, indices), [batchSize, dataset.height, dataset.width, dataset.channels]);
    trainStep(models, optimizers, real, undefined, { microBatch });
    real.dispose();
  };
  for (let i = 0; i < warmupSteps; i++) step(i); // kernels compiled, Adam's slots created
  let steps = 0;
  const start = preciseNow();
  do step(warmupSteps + steps++);
  while (preciseNow() - start < seconds * 1000);
  const rate = (steps * batchSize) / ((preciseNow() - start) / 1000);
  models.generator.dispose();
  models.discriminator.dispose();
  optimizers.generator.dispose();
  optimizers.discriminator.dispose();
  return rate;
}
