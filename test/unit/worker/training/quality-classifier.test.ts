/**
 * The quality classifier's mechanics on a short training run (its accuracy at full length is checked in
 * quality.test.ts, which uses the default one): determinism, no leaked tensors, the cache file and what
 * happens to a damaged one. The full run's numbers are not needed for any of this.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../worker/training/backend.js';
import { loadDataset } from '../../../../worker/training/data/datasets.js';
import { gatherBatch } from '../../../../worker/training/data/shards.js';
import {
  classifierFeatureMap,
  classifierFeatures,
  classifierSplit,
  FEATURE_UNITS,
  loadOrTrainClassifier,
  trainClassifier,
} from '../../../../worker/training/quality-classifier.js';
import { ClassifierFileError, decodeClassifierFile, encodeClassifierFile } from '../../../../worker/training/quality-classifier-file.js';

const dir = mkdtempSync(join(tmpdir(), 'airtist-classifier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  await selectBackend('wasm');
});

/** Long enough to learn something, short enough to train twice in a couple of seconds. */
const STEPS = 40;

describe('classifierSplit', () => {
  it('holds out a fifth (at most 2,000) of the images, disjoint from the rest, the same for a seed', () => {
    const { train, test } = classifierSplit(10_000, 's');
    expect(test.length).toBe(2000);
    expect(new Set([...train, ...test]).size).toBe(10_000);
    expect(classifierSplit(10_000, 's').test).toEqual(test);
    expect(classifierSplit(10_000, 't').test).not.toEqual(test);
    expect(classifierSplit(100, 's').test.length).toBe(20);
  });
});

describe('trainClassifier', { timeout: 60_000 }, () => {
  it('is deterministic, beats chance after a few steps and leaves no tensors behind', async () => {
    const mnist = loadDataset('mnist');
    const before = tf.memory().numTensors;
    const first = await trainClassifier(mnist, { seed: 'unit', steps: STEPS });
    expect(tf.memory().numTensors).toBe(before);
    const second = await trainClassifier(mnist, { seed: 'unit', steps: STEPS });
    expect(second.weights).toEqual(first.weights);
    const other = await trainClassifier(mnist, { seed: 'other', steps: STEPS });
    expect(other.weights).not.toEqual(first.weights);
    expect(first.key).toEqual({ dataset: 'mnist', version: 1, seed: 'unit', steps: STEPS });
    expect(first.testCount).toBe(2000);
    expect(first.testAccuracy).toBeGreaterThan(0.5); // chance is 0.1
    expect(first.backend).toBe('wasm');
  });
});

describe('loadOrTrainClassifier', { timeout: 60_000 }, () => {
  it('trains once, then loads the cached file in well under a second', async () => {
    const trained = await loadOrTrainClassifier('mnist', { cacheDir: dir, seed: 'cache', steps: STEPS });
    expect(trained.cached).toBe(false);
    expect(trained.path.startsWith(dir)).toBe(true);
    const started = performance.now();
    const loaded = await loadOrTrainClassifier('mnist', { cacheDir: dir, seed: 'cache', steps: STEPS });
    expect(performance.now() - started).toBeLessThan(500);
    expect(loaded.cached).toBe(true);
    expect(loaded.path).toBe(trained.path);
    expect(loaded.classifier).toEqual(trained.classifier);
    // A different seed or step count is a different classifier, in a different file.
    const other = await loadOrTrainClassifier('mnist', { cacheDir: dir, seed: 'cache', steps: STEPS + 1 });
    expect(other.path).not.toBe(trained.path);
  });

  it('replaces a damaged or foreign cache file instead of using it', async () => {
    const options = { cacheDir: dir, seed: 'damaged', steps: STEPS };
    const { path, classifier } = await loadOrTrainClassifier('mnist', options);
    const bytes = readFileSync(path);
    bytes[bytes.length - 3]! ^= 0x10; // one bit of one weight
    writeFileSync(path, bytes);
    const repaired = await loadOrTrainClassifier('mnist', options);
    expect(repaired.cached).toBe(false);
    expect(repaired.rejected).toMatch(/sha256 mismatch/);
    expect(repaired.classifier.weights).toEqual(classifier.weights);
    expect((await loadOrTrainClassifier('mnist', options)).cached).toBe(true);

    // A valid file under the wrong name (a renamed or colliding one) holds some other classifier.
    writeFileSync(path, encodeClassifierFile({ ...classifier, key: { ...classifier.key, seed: 'someone else' } }));
    const replaced = await loadOrTrainClassifier('mnist', options);
    expect(replaced.cached).toBe(false);
    expect(replaced.rejected).toMatch(/someone else/);
  });
});

describe('the classifier file', () => {
  const stored = {
    key: { dataset: 'mnist', version: 1, seed: 's', steps: 3 },
    shape: [2, 2, 1] as [number, number, number],
    classes: 2,
    manifest: { tensors: [{ name: 'classifier.1.kernel', shape: [4, 2] }, { name: 'classifier.1.bias', shape: [2] }], size: 10 },
    weights: Float32Array.from({ length: 10 }, (_, i) => i / 3),
    testAccuracy: 0.5,
    testCount: 4,
    trainSeconds: 0.1,
    backend: 'cpu',
  };

  it('round-trips, and refuses truncated, corrupt, foreign or inconsistent bytes', () => {
    const bytes = encodeClassifierFile(stored);
    expect(decodeClassifierFile(bytes)).toEqual(stored);
    // Unaligned: a file's bytes may sit anywhere in a buffer.
    const shifted = Buffer.concat([Buffer.alloc(1), bytes]).subarray(1);
    expect(decodeClassifierFile(shifted)).toEqual(stored);
    expect(() => decodeClassifierFile(bytes.subarray(0, bytes.length - 4))).toThrow(ClassifierFileError);
    expect(() => decodeClassifierFile(bytes.subarray(0, 20))).toThrow(/truncated/);
    const flipped = Buffer.from(bytes);
    flipped[60]! ^= 1;
    expect(() => decodeClassifierFile(flipped)).toThrow(/sha256/);
    const foreign = Buffer.from(bytes);
    foreign.write('AIRTCKPT', 0, 'latin1');
    expect(() => decodeClassifierFile(foreign)).toThrow(/not an AIRTIST classifier/);
    expect(() => encodeClassifierFile({ ...stored, weights: new Float32Array(9) })).toThrow(ClassifierFileError);
    const lying = encodeClassifierFile({ ...stored, manifest: { ...stored.manifest, size: 10, tensors: stored.manifest.tensors.slice(0, 1) } });
    expect(() => decodeClassifierFile(lying)).toThrow(/manifest tensors hold 8/);
  });
});

describe('classifierFeatures', { timeout: 60_000 }, () => {
  it('maps images to 64 penultimate activations, deterministically, leaving no tensors', async () => {
    const { classifier } = await loadOrTrainClassifier('mnist', { cacheDir: dir, seed: 'cache', steps: STEPS });
    const map = classifierFeatures(classifier);
    const mnist = loadDataset('mnist');
    const images = gatherBatch(mnist, Uint32Array.from({ length: 600 }, (_, i) => i * 16));
    const before = tf.memory().numTensors;
    const { features, d } = await map(images, 600); // two chunks
    expect(tf.memory().numTensors).toBe(before);
    expect(d).toBe(FEATURE_UNITS);
    expect(features.length).toBe(600 * FEATURE_UNITS);
    expect(features.every((v) => v >= 0 && Number.isFinite(v))).toBe(true); // ReLU outputs
    expect(features.some((v) => v > 0)).toBe(true);
    // Per image: the first 100 images give the same features alone as within the batch.
    expect((await map(images.subarray(0, 100 * 784), 100)).features).toEqual(features.subarray(0, 100 * FEATURE_UNITS));
    await expect(map(images, 599)).rejects.toThrow(RangeError);
  });

  it('memoises one map per dataset, cache folder, seed and steps', async () => {
    const options = { cacheDir: dir, seed: 'cache', steps: STEPS };
    const [a, b] = await Promise.all([classifierFeatureMap('mnist', options), classifierFeatureMap('mnist', options)]);
    expect(a).toBe(b);
    expect(await classifierFeatureMap('mnist', { ...options, seed: 'damaged' })).not.toBe(a);
  });
});
