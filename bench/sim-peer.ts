/**
 * A simulated peer for the benchmarks that train many peers in one process: the GAN with its optimizers,
 * training its shard with the trainer's own step, batch and noise order, and the FID-style score of a model.
 * The network is only the transport of the bytes these peers make (the swarm tests cover it).
 */
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../worker/training/data/datasets.js';
import { batchIndices, gatherBatch, shardIndices } from '../worker/training/data/shards.js';
import { seededNoise, trainStep } from '../worker/training/gan.js';
import { getModel } from '../worker/training/models/registry.js';
import { ganQuality } from '../worker/training/quality.js';
import { readWeights, writeWeights } from '../worker/training/weights.js';

export const BATCH = 16;
/** Images the FID-style distance is measured on. */
export const FD_SAMPLES = 500;
const mnist = loadDataset('mnist');

export interface Trainer {
  step(weights: Float32Array | null, steps: number): Float32Array;
  dispose(): void;
}

/** One peer's GAN with its optimizers, training its shard; `step(θ)` starts from θ (null: from where it is). */
export function trainer(shard: number, shards: number, start: Float32Array, seed: string, batch = BATCH): Trainer {
  const definition = getModel('mlp-gan');
  const gan = definition.build([28, 28, 1]);
  const optimizers = definition.createOptimizers();
  const named = { generator: gan.generator, discriminator: gan.discriminator };
  const indices = shardIndices(mnist.count, shards, shard);
  writeWeights(named, start);
  let at = 0;
  return {
    step(weights, steps) {
      if (weights) writeWeights(named, weights);
      for (let i = 0; i < steps; i++, at++) {
        const real = tf.tensor4d(gatherBatch(mnist, batchIndices(indices, seed, at, batch)), [batch, 28, 28, 1]);
        const noise = { discriminator: seededNoise(batch, gan.latentDim, `${seed}/d/${at}`), generator: seededNoise(batch, gan.latentDim, `${seed}/g/${at}`) };
        trainStep(gan, optimizers, real, noise);
        tf.dispose([real, noise.discriminator, noise.generator]);
      }
      return readWeights(named);
    },
    dispose() {
      gan.generator.dispose();
      gan.discriminator.dispose();
      optimizers.generator.dispose();
      optimizers.discriminator.dispose();
    },
  };
}

/** The FID-style distance of mlp-gan weights to real digits (quality.ts; lower is better). */
export const fd = async (weights: Float32Array): Promise<number> => (await ganQuality({ model: 'mlp-gan', dataset: 'mnist', weights, samples: FD_SAMPLES })).fd;
