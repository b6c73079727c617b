/**
 * How good the GAN's images are, as one number: the Fréchet distance (FID-style, see frechet.ts) between
 * features of generated images and features of real ones. Lower is better; GAN losses say who is winning
 * the game, not how good the images are, so tests and benchmarks that claim "the committed model improved
 * over round 0" measure this.
 *
 * The default features are the penultimate layer of a small classifier trained once on the dataset and
 * cached on disk (quality-classifier.ts), as FID uses an Inception network's. Fixed pixel statistics
 * (quality-features.ts) need no training and can be passed instead; scores on different features are not
 * comparable.
 *
 * Runs wherever tfjs runs with the whole dataset in memory (trainer thread, tests, benchmarks): it uses the
 * active tfjs backend, whatever it is (tests pick wasm with `selectBackend('wasm')`), and reads the dataset
 * from disk through `loadDataset`.
 */
import * as tf from '@tensorflow/tfjs';
import type { DatasetName, ModelName } from '../api/contract.js';
import { loadDataset } from './data/datasets.js';
import { seededPrng, shuffleInPlace } from './data/prng.js';
import { gatherBatch } from './data/shards.js';
import { featureStats, frechetDistance, type Stats } from './frechet.js';
import { generateImages, seededNoise } from './gan.js';
import { getModel } from './models/registry.js';
import { classifierFeatureMap } from './quality-classifier.js';
import type { FeatureMap } from './quality-features.js';
import type { ImageDataset } from './types.js';
import { seededWeights, writeWeights } from './weights.js';

/** The Gaussian statistics of `featureMap` over `n` images. */
export async function imageStats(images: Float32Array, n: number, featureMap: FeatureMap): Promise<Stats> {
  const { features, d } = await featureMap(images, n);
  return featureStats(features, n, d);
}

/**
 * The real images a quality score compares with: the first `samples` of a seeded permutation of the whole
 * dataset (which is stored grouped by class, so a prefix of the raw order would be one digit). A larger
 * `samples` extends the same prefix, so `[samples, 2·samples)` is a disjoint second sample.
 */
export function realSampleIndices(count: number, samples: number, seed: string): Uint32Array {
  if (!Number.isInteger(samples) || samples < 2 || samples > count) {
    throw new RangeError(`quality: ${samples} samples from a dataset of ${count}`);
  }
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  return shuffleInPlace(order, seededPrng(JSON.stringify(['airtist/quality/real/1', seed]))).slice(0, samples);
}

/** Real-image statistics by feature map, then by dataset, samples and seed: the real side never changes. */
const realStatsCache = new WeakMap<FeatureMap, Map<string, Promise<Stats>>>();

/** Feature statistics of `samples` real images of `dataset` (see `realSampleIndices`), cached in memory. */
export function realImageStats(dataset: ImageDataset, samples: number, seed: string, featureMap: FeatureMap): Promise<Stats> {
  let byKey = realStatsCache.get(featureMap);
  if (!byKey) realStatsCache.set(featureMap, (byKey = new Map()));
  const key = JSON.stringify([dataset.name, samples, seed]);
  let stats = byKey.get(key);
  if (!stats) {
    const images = gatherBatch(dataset, realSampleIndices(dataset.count, samples, seed));
    stats = imageStats(images, samples, featureMap);
    byKey.set(key, stats);
    stats.catch(() => byKey.delete(key));
  }
  return stats;
}

export interface QualityOptions {
  model: ModelName;
  dataset: DatasetName;
  /** The GAN's flat weight vector, laid out as `manifestOf({ generator, discriminator })`. */
  weights: Float32Array;
  /** Generated and real images each (default 1000). FD is biased upwards at small samples: compare like with like. */
  samples?: number;
  /** Seeds the generator's noise and the choice of real images (default 'airtist-quality'). */
  seed?: string;
  /** Default: the dataset's cached classifier, `classifierFeatureMap(dataset, { cacheDir })`. */
  features?: FeatureMap;
  /** Where the default classifier is cached (default: `defaultClassifierCacheDir()`); unused with `features`. */
  cacheDir?: string;
}

export interface Quality {
  /** Fréchet distance between generated and real feature statistics; lower is better. */
  fd: number;
  samples: number;
}

const DEFAULT_SAMPLES = 1000;
const DEFAULT_SEED = 'airtist-quality';
/** Images generated per forward pass: bounds the memory a dcgan pass takes. */
const CHUNK = 250;

/**
 * The Fréchet distance of the GAN with `weights` (generated images from fixed seeded noise) to the real
 * images of its dataset. Deterministic for a backend: same weights, samples and seed, same number. Builds
 * throwaway networks on the active tfjs backend and disposes every tensor it makes.
 */
export async function ganQuality(options: QualityOptions): Promise<Quality> {
  const samples = options.samples ?? DEFAULT_SAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  const dataset = loadDataset(options.dataset);
  const featureMap =
    options.features ?? (await classifierFeatureMap(options.dataset, options.cacheDir ? { cacheDir: options.cacheDir } : {}));
  const real = await realImageStats(dataset, samples, seed, featureMap);
  const generated = await generate(options.model, dataset, options.weights, samples, `${seed}/noise`);
  const fd = frechetDistance(await imageStats(generated, samples, featureMap), real);
  return { fd, samples };
}

/** `samples` images from `weights`' generator for seeded noise, NHWC in [-1, 1]. */
async function generate(model: ModelName, dataset: ImageDataset, weights: Float32Array, samples: number, seed: string): Promise<Float32Array> {
  const { height, width, channels } = dataset;
  const networks = getModel(model).build([height, width, channels]);
  const named = { generator: networks.generator, discriminator: networks.discriminator };
  const size = height * width * channels;
  const out = new Float32Array(samples * size);
  try {
    writeWeights(named, weights);
    for (let start = 0; start < samples; start += CHUNK) {
      const rows = Math.min(CHUNK, samples - start);
      // One noise stream per chunk index, so a chunk's images do not depend on how many chunks there are.
      const noise = seededNoise(rows, networks.latentDim, `${seed}/${start}`);
      const images = generateImages(networks.generator, noise);
      try {
        out.set((await images.data()) as Float32Array, start * size);
      } finally {
        tf.dispose([noise, images]);
      }
    }
  } finally {
    networks.generator.dispose();
    networks.discriminator.dispose();
  }
  return out;
}

/** The round-0 weights of a run with `seed` (what every peer starts from), as a flat vector. */
export function seededGanWeights(model: ModelName, dataset: DatasetName, seed: string): Float32Array {
  const { height, width, channels } = loadDataset(dataset);
  const networks = getModel(model).build([height, width, channels]);
  try {
    return seededWeights({ generator: networks.generator, discriminator: networks.discriminator }, seed);
  } finally {
    networks.generator.dispose();
    networks.discriminator.dispose();
  }
}
