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
import type { Losses, Task, TaskBatch, TaskScorer } from '../task.js';
import type { GanModels } from '../types.js';
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
  const imageBatch = (at: Uint32Array): ImageBatch => {
    const real = tf.tensor4d(gatherBatch(dataset, at), [at.length, height, width, channels]);
    return { rows: at.length, real, dispose: () => real.dispose() };
  };

  return {
    lossNames: ['discriminator', 'generator'],
    networks: ganNetworks(models, optimizers),
    manifest: manifestOf(named),
    minMicroBatch: definition.minMicroBatch,
    batch(step, rows): ImageBatch {
      return imageBatch(batchIndices(indices, order, step, rows));
    },
    batchOf(assignment, step, rows): ImageBatch {
      if (!Number.isInteger(assignment.shard) || assignment.shard < 0 || assignment.shard >= shardCount) throw new RangeError(`shard ${assignment.shard} is not one of ${shardCount}`);
      return imageBatch(batchIndices(shardIndices(dataset.count, shardCount, assignment.shard), assignment.seed, step, rows));
    },
    createScorer: () => createGanScorer(() => definition.build([height, width, channels]), models.latentDim),
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
        return ganLosses(real, noise, { discriminator: models.discriminator, against: models.generator, generator: models.generator, judgedBy: models.discriminator });
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

/**
 * The GAN's scorer: a base pair and a candidate pair of networks. The candidate's discriminator is judged on
 * real images against the base generator's fakes; its generator by how well it fools the base discriminator.
 */
function createGanScorer(build: () => GanModels, latentDim: number): TaskScorer {
  const base = build();
  const candidate = build();
  const named = (m: GanModels) => ({ generator: m.generator, discriminator: m.discriminator });
  let baseWritten = false;
  return {
    setBase(values) {
      writeWeights(named(base), values);
      baseWritten = true;
    },
    losses(values, batch, seed) {
      if (!baseWritten) throw new Error('the scorer has no base weights');
      const judged = values ? candidate : base;
      if (values) writeWeights(named(candidate), values);
      const { real } = batch as ImageBatch;
      const noise = seededNoise(real.shape[0], latentDim, seed);
      try {
        return ganLosses(real, noise, { discriminator: judged.discriminator, against: base.generator, generator: judged.generator, judgedBy: base.discriminator });
      } finally {
        noise.dispose();
      }
    },
    dispose() {
      for (const m of [base, candidate]) {
        m.generator.dispose();
        m.discriminator.dispose();
      }
    },
  };
}

/**
 * The GAN's two losses on `real` and `noise`: `discriminator` telling real images from the fakes of
 * `against` (its loss), and the fakes of `generator` as `judgedBy` sees them (the generator's loss).
 */
function ganLosses(
  real: tf.Tensor4D,
  noise: tf.Tensor2D,
  nets: { discriminator: tf.LayersModel; against: tf.LayersModel; generator: tf.LayersModel; judgedBy: tf.LayersModel },
): Losses {
  return tf.tidy(() => {
    const apply = (model: tf.LayersModel, input: tf.Tensor) => model.apply(input, { training: false }) as tf.Tensor;
    const realLogits = apply(nets.discriminator, real);
    const fakeLogits = apply(nets.discriminator, apply(nets.against, noise));
    const d = tf.add(
      tf.losses.sigmoidCrossEntropy(tf.onesLike(realLogits), realLogits),
      tf.losses.sigmoidCrossEntropy(tf.zerosLike(fakeLogits), fakeLogits),
    );
    const fooled = apply(nets.judgedBy, apply(nets.generator, noise));
    const g = tf.losses.sigmoidCrossEntropy(tf.onesLike(fooled), fooled);
    return { discriminator: d.dataSync()[0]!, generator: g.dataSync()[0]! };
  });
}
