/**
 * The GAN as a `Task`: its two networks, an image dataset sharded for this peer, a step of D then G, and
 * the painting people watch. Everything GAN-specific the trainer used to know lives here.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetName, ModelName } from '../../api/contract.js';
import { loadDataset } from '../data/datasets.js';
import { batchIndices, gatherBatch, shardIndices } from '../data/shards.js';
import { ganNetworks, seededNoise, trainStepMicro } from '../gan.js';
import { renderSampleGrid } from '../images.js';
import { getModel } from '../models/registry.js';
import type { Losses, Task, TaskBatch } from '../task.js';
import { manifestOf, readWeights, seededWeights, writeWeights } from '../weights.js';

const SAMPLE_GRID = 8;
/**
 * Fixed latent vectors for the paintings, so successive grids show the same 64 "ideas" improving; seeded in
 * plain JS, so every backend and every peer paints from the same ones.
 */
const SAMPLE_SEED = 'airtist-paintings';

export interface GanTaskOptions {
  model: ModelName;
  dataset: DatasetName;
  runId: string;
  shard: number;
  shardCount: number;
}

interface ImageBatch extends TaskBatch {
  readonly real: tf.Tensor4D;
}

export function createGanTask({ model, dataset: datasetName, runId, shard, shardCount }: GanTaskOptions): Task {
  const dataset = loadDataset(datasetName);
  // The shard and order batches come from: the options' shard in the run's order until a round assigns one.
  let indices = shardIndices(dataset.count, shardCount, shard);
  let order = runId;
  const definition = getModel(model);
  const { height, width, channels } = dataset;
  const models = definition.build([height, width, channels]);
  const optimizers = definition.createOptimizers();
  const named = { generator: models.generator, discriminator: models.discriminator };
  const sampleNoise = seededNoise(SAMPLE_GRID * SAMPLE_GRID, models.latentDim, SAMPLE_SEED);

  return {
    lossNames: ['discriminator', 'generator'],
    networks: ganNetworks(models, optimizers),
    manifest: manifestOf(named),
    minMicroBatch: definition.minMicroBatch,
    batch(step, rows): ImageBatch {
      const real = tf.tensor4d(gatherBatch(dataset, batchIndices(indices, order, step, rows)), [rows, height, width, channels]);
      return { rows, real, dispose: () => real.dispose() };
    },
    assign(assignment) {
      indices = shardIndices(dataset.count, shardCount, assignment.shard);
      order = assignment.seed;
    },
    *trainStep(batch, microBatch) {
      const losses = yield* trainStepMicro(models, optimizers, (batch as ImageBatch).real, undefined, { microBatch });
      return losses && { discriminator: losses.discriminator, generator: losses.generator };
    },
    evaluate(batch): Losses {
      const { real } = batch as ImageBatch;
      const noise = seededNoise(real.shape[0], models.latentDim, 'airtist-evaluate');
      try {
        return tf.tidy(() => {
          const fake = models.generator.apply(noise, { training: false }) as tf.Tensor;
          const realLogits = models.discriminator.apply(real, { training: false }) as tf.Tensor;
          const fakeLogits = models.discriminator.apply(fake, { training: false }) as tf.Tensor;
          const d = tf.add(
            tf.losses.sigmoidCrossEntropy(tf.onesLike(realLogits), realLogits),
            tf.losses.sigmoidCrossEntropy(tf.zerosLike(fakeLogits), fakeLogits),
          );
          const g = tf.losses.sigmoidCrossEntropy(tf.onesLike(fakeLogits), fakeLogits);
          return { discriminator: d.dataSync()[0]!, generator: g.dataSync()[0]! };
        });
      } finally {
        noise.dispose();
      }
    },
    readWeights: () => readWeights(named),
    writeWeights: (values) => writeWeights(named, values),
    seededWeights: (seed) => seededWeights(named, seed),
    preview() {
      const grid = renderSampleGrid(models.generator, sampleNoise, SAMPLE_GRID);
      return { png: grid.png, width: grid.width, height: grid.height };
    },
  };
}
