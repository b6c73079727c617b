/**
 * The features FID-style scores need to mean something: the penultimate layer of a small classifier
 * trained once on the dataset. A classifier's 64 hidden units respond to strokes, loops and digit identity,
 * so their statistics differ between real digits and blobs that merely have the right pixel averages.
 *
 * Training is deterministic for a backend: seeded plain-JS initial weights (weights.ts), a seeded split,
 * seeded batch order and shifts, and a fixed number of steps. The result is cached on disk in a
 * checksummed file (quality-classifier-file.ts) keyed by dataset, recipe version, seed and steps, so only
 * the first use on a machine trains (≈ 20 s on wasm) and later ones load it in milliseconds. Prints nothing.
 *
 * Runs wherever tfjs runs in Node (trainer thread, tests, benchmarks), on the active backend.
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { DatasetName } from '../api/contract.js';
import { loadDataset } from './data/datasets.js';
import { randomBelow, seededPrng, shuffleInPlace } from './data/prng.js';
import { copyPixels } from './data/pixels.js';
import { gatherBatch } from './data/shards.js';
import { fastDense } from './fast-dense.js';
import { readClassifierFile, writeClassifierFile, type ClassifierKey, type StoredClassifier } from './quality-classifier-file.js';
import type { FeatureMap } from './quality-features.js';
import type { ImageDataset } from './types.js';
import { manifestOf, readWeights, seededWeights, writeWeights } from './weights.js';

/** Bump whenever the architecture, the split or the training schedule changes: old cache files stop matching. */
export const CLASSIFIER_VERSION = 1;
export const DEFAULT_CLASSIFIER_SEED = 'airtist-quality-classifier';
/** ≈ 16 epochs of the MNIST training split. */
export const DEFAULT_CLASSIFIER_STEPS = 1000;
/** The width of the features: the last hidden layer. */
export const FEATURE_UNITS = 64;

const HIDDEN_UNITS = 256;
const BATCH = 128;
/** Adam's step size at the start; it follows a half cosine down to nothing at the last step. */
const LEARNING_RATE = 2e-3;
/** Held-out images: 2,000 of MNIST's 10,000 (a fifth of smaller datasets). */
const MAX_TEST = 2000;
/** Training images move up to this many pixels each way: 95.0 % held out without it, 96.0 % with (MNIST). */
const MAX_SHIFT = 1;
/** Pixel value of the background that shifts uncover (black: -1 in the datasets' [-1, 1] scale). */
const BACKGROUND = -1;
/** Images per forward pass when measuring accuracy or features: bounds memory. */
const CHUNK = 500;
/** Steps between yields to the event loop, so a training run never blocks its thread for long. */
const YIELD_EVERY = 50;
/** Layer index of the penultimate layer in `buildClassifier` (0 is the flatten). */
const FEATURE_LAYER = 2;

/** image → 256 → 64 → classes logits, ReLU hidden units; FastDense keeps wasm's backward pass fast. */
export function buildClassifier(shape: readonly [number, number, number], classes: number): tf.Sequential {
  return tf.sequential({
    name: 'quality_classifier',
    layers: [
      tf.layers.flatten({ inputShape: [...shape] }),
      fastDense({ units: HIDDEN_UNITS, activation: 'relu' }),
      fastDense({ units: FEATURE_UNITS, activation: 'relu' }),
      fastDense({ units: classes }),
    ],
  });
}

/** Disjoint train and test indices from a seeded permutation (the datasets are stored grouped by class). */
export function classifierSplit(count: number, seed: string): { train: Uint32Array; test: Uint32Array } {
  const testCount = Math.min(MAX_TEST, Math.floor(count / 5));
  const order = shuffleInPlace(
    Uint32Array.from({ length: count }, (_, i) => i),
    seededPrng(JSON.stringify(['airtist/quality-classifier/split/1', seed])),
  );
  return { test: order.slice(0, testCount), train: order.slice(testCount) };
}

export interface TrainOptions {
  seed?: string;
  steps?: number;
}

/** Trains a fresh classifier on `dataset` (no disk); every tensor it makes is disposed before it returns. */
export async function trainClassifier(dataset: ImageDataset, options: TrainOptions = {}): Promise<StoredClassifier> {
  const seed = options.seed ?? DEFAULT_CLASSIFIER_SEED;
  const steps = options.steps ?? DEFAULT_CLASSIFIER_STEPS;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`classifier steps must be a positive integer, got ${steps}`);
  const started = performance.now();
  const shape: [number, number, number] = [dataset.height, dataset.width, dataset.channels];
  const classes = dataset.labels.reduce((max, label) => Math.max(max, label), 0) + 1;
  const { train, test } = classifierSplit(dataset.count, seed);
  const model = buildClassifier(shape, classes);
  const named = { classifier: model };
  // Adam's epsilon fixed, not left to the backend's default, as for the GAN.
  const optimizer = new ScheduledAdam(LEARNING_RATE, 0.9, 0.999, 1e-7);
  try {
    writeWeights(named, seededWeights(named, `${seed}/init`));
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    const next = seededPrng(JSON.stringify(['airtist/quality-classifier/batches/1', seed]));
    const order = Uint32Array.from(train);
    let position = order.length; // reshuffled before the first batch
    for (let step = 0; step < steps; step++) {
      if (position + BATCH > order.length) {
        shuffleInPlace(order, next);
        position = 0;
      }
      optimizer.setLearningRate(LEARNING_RATE * 0.5 * (1 + Math.cos((Math.PI * step) / steps)));
      const indices = order.subarray(position, position + BATCH);
      position += BATCH;
      const x = tf.tensor4d(shiftedBatch(dataset, indices, next), [BATCH, ...shape]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labelsOf(dataset, indices), 'int32'), classes));
      try {
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, variables);
          optimizer.applyGradients(variables.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
        });
      } finally {
        tf.dispose([x, y]);
      }
      if ((step + 1) % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const testAccuracy = test.length > 0 ? await accuracy(model, dataset, test) : 0;
    return {
      key: { dataset: dataset.name, version: CLASSIFIER_VERSION, seed, steps },
      shape,
      classes,
      manifest: manifestOf(named),
      weights: readWeights(named),
      testAccuracy,
      testCount: test.length,
      trainSeconds: (performance.now() - started) / 1000,
      backend: tf.getBackend(),
    };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

/** Adam whose step size a schedule may change between updates (it reads the rate at every update). */
class ScheduledAdam extends tf.AdamOptimizer {
  setLearningRate(rate: number): void {
    this.learningRate = rate;
  }
}

function labelsOf(dataset: ImageDataset, indices: Uint32Array): Int32Array {
  return Int32Array.from(indices, (index) => dataset.labels[index]!);
}

/** The images at `indices`, each moved by a seeded whole-pixel shift in [-MAX_SHIFT, MAX_SHIFT]². */
function shiftedBatch(dataset: ImageDataset, indices: Uint32Array, next: () => number): Float32Array {
  const { height, width, channels } = dataset;
  const size = height * width * channels;
  const row = width * channels;
  const out = new Float32Array(indices.length * size).fill(BACKGROUND);
  for (let i = 0; i < indices.length; i++) {
    const dy = randomBelow(next, 2 * MAX_SHIFT + 1) - MAX_SHIFT;
    const dx = randomBelow(next, 2 * MAX_SHIFT + 1) - MAX_SHIFT;
    const source = indices[i]! * size;
    const x0 = Math.max(0, dx);
    const x1 = Math.min(width, width + dx);
    for (let y = Math.max(0, dy); y < Math.min(height, height + dy); y++) {
      const from = source + (y - dy) * row + (x0 - dx) * channels;
      copyPixels(dataset, from, from + (x1 - x0) * channels, out, i * size + y * row + x0 * channels);
    }
  }
  return out;
}

async function accuracy(model: tf.LayersModel, dataset: ImageDataset, indices: Uint32Array): Promise<number> {
  let correct = 0;
  for (let start = 0; start < indices.length; start += CHUNK) {
    const chunk = indices.subarray(start, start + CHUNK);
    const predicted = tf.tidy(() => {
      const x = tf.tensor4d(gatherBatch(dataset, chunk), [chunk.length, dataset.height, dataset.width, dataset.channels]);
      return (model.apply(x) as tf.Tensor).argMax(1);
    });
    const labels = await predicted.data();
    predicted.dispose();
    chunk.forEach((index, i) => (correct += labels[i] === dataset.labels[index] ? 1 : 0));
  }
  return correct / indices.length;
}

/**
 * A FeatureMap of `classifier`'s penultimate layer. It holds plain arrays only: each call builds the network,
 * runs it and disposes it (milliseconds), so no tensors outlive a call.
 */
export function classifierFeatures(classifier: StoredClassifier): FeatureMap {
  const [height, width, channels] = classifier.shape;
  const size = height * width * channels;
  return async (images, n) => {
    if (!Number.isInteger(n) || n < 0 || images.length !== n * size) {
      throw new RangeError(`classifier features: ${images.length} floats are not ${n} images of ${height}×${width}×${channels}`);
    }
    const model = buildClassifier(classifier.shape, classifier.classes);
    const features = new Float32Array(n * FEATURE_UNITS);
    try {
      writeWeights({ classifier: model }, classifier.weights);
      const layers = model.layers.slice(0, FEATURE_LAYER + 1);
      for (let start = 0; start < n; start += CHUNK) {
        const rows = Math.min(CHUNK, n - start);
        const hidden = tf.tidy(() =>
          layers.reduce<tf.Tensor>(
            (x, layer) => layer.apply(x) as tf.Tensor,
            tf.tensor4d(images.subarray(start * size, (start + rows) * size), [rows, height, width, channels]),
          ),
        );
        try {
          features.set((await hidden.data()) as Float32Array, start * FEATURE_UNITS);
        } finally {
          hidden.dispose();
        }
      }
    } finally {
      model.dispose();
    }
    return { features, d: FEATURE_UNITS };
  };
}

export interface ClassifierOptions extends TrainOptions {
  /** Folder of the cached classifiers (default: `defaultClassifierCacheDir()`). */
  cacheDir?: string;
}

export function defaultClassifierCacheDir(): string {
  return join(tmpdir(), 'airtist-quality');
}

/** Where the classifier for `key` is cached: the seed is hashed, so any string makes a safe file name. */
export function classifierPath(cacheDir: string, key: ClassifierKey): string {
  const digest = createHash('sha256').update(JSON.stringify([key.seed, key.steps])).digest('hex').slice(0, 16);
  return join(cacheDir, `classifier-${key.dataset}-v${key.version}-${digest}.bin`);
}

export interface LoadedClassifier {
  classifier: StoredClassifier;
  path: string;
  /** Whether it came from the cache; false when it was trained (and then written) now. */
  cached: boolean;
  /** Why a file at `path` could not be used, when there was one. */
  rejected?: string;
  /** Why a freshly trained classifier could not be cached, if it could not. */
  unsaved?: string;
}

/**
 * The classifier for `dataset` from the cache, or trained now and cached. A damaged or mismatching file is
 * replaced and a folder that cannot be written is reported, neither is fatal: the cache only saves time.
 */
export async function loadOrTrainClassifier(dataset: DatasetName, options: ClassifierOptions = {}): Promise<LoadedClassifier> {
  const key: ClassifierKey = {
    dataset,
    version: CLASSIFIER_VERSION,
    seed: options.seed ?? DEFAULT_CLASSIFIER_SEED,
    steps: options.steps ?? DEFAULT_CLASSIFIER_STEPS,
  };
  const path = classifierPath(options.cacheDir ?? defaultClassifierCacheDir(), key);
  let rejected: string | undefined;
  try {
    const stored = await readClassifierFile(path);
    if (stored && sameKey(stored.key, key)) return { classifier: stored, path, cached: true };
    if (stored) rejected = `it holds the classifier for ${JSON.stringify(stored.key)}`;
  } catch (error) {
    rejected = (error as Error).message;
  }
  const classifier = await trainClassifier(loadDataset(dataset), { seed: key.seed, steps: key.steps });
  let unsaved: string | undefined;
  try {
    await writeClassifierFile(path, classifier);
  } catch (error) {
    unsaved = (error as Error).message; // a read-only or foreign folder: the next process trains again
  }
  return { classifier, path, cached: false, ...(rejected ? { rejected } : {}), ...(unsaved ? { unsaved } : {}) };
}

const sameKey = (a: ClassifierKey, b: ClassifierKey) =>
  a.dataset === b.dataset && a.version === b.version && a.seed === b.seed && a.steps === b.steps;

/** Feature maps by cache path: one load (or training) per process, and a stable map for stats caches. */
const featureMaps = new Map<string, Promise<FeatureMap>>();

/** The penultimate-layer FeatureMap of `dataset`'s classifier (see `loadOrTrainClassifier`), memoised. */
export function classifierFeatureMap(dataset: DatasetName, options: ClassifierOptions = {}): Promise<FeatureMap> {
  const key = JSON.stringify([dataset, options.cacheDir ?? defaultClassifierCacheDir(), options.seed ?? DEFAULT_CLASSIFIER_SEED, options.steps ?? DEFAULT_CLASSIFIER_STEPS]);
  let map = featureMaps.get(key);
  if (!map) {
    map = loadOrTrainClassifier(dataset, options).then(({ classifier }) => classifierFeatures(classifier));
    featureMaps.set(key, map);
    map.catch(() => featureMaps.delete(key)); // a failure is not remembered: the next call tries again
  }
  return map;
}
