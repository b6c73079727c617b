/**
 * The quality score orders what it must: real digits ≪ a briefly trained GAN < the round-0 GAN, on the
 * default (classifier) features and on pixel features; and it is deterministic and leaks no tensors.
 *
 * The default classifier is cached under the OS temp folder: the first run on a machine trains it (≈ 20 s
 * of this file's time), later runs load it.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../worker/training/backend.js';
import { loadDataset } from '../../../../worker/training/data/datasets.js';
import { batchIndices, gatherBatch, shardIndices } from '../../../../worker/training/data/shards.js';
import { frechetDistance } from '../../../../worker/training/frechet.js';
import { seededNoise, trainStep } from '../../../../worker/training/gan.js';
import { getModel } from '../../../../worker/training/models/registry.js';
import { classifierFeatureMap, loadOrTrainClassifier } from '../../../../worker/training/quality-classifier.js';
import { pixelFeatureMap, type FeatureMap } from '../../../../worker/training/quality-features.js';
import { ganQuality, imageStats, realImageStats, realSampleIndices, seededGanWeights } from '../../../../worker/training/quality.js';
import { readWeights, writeWeights } from '../../../../worker/training/weights.js';

const SAMPLES = 1000;
const SEED = 'quality-test';
const mnist = loadDataset('mnist');
const quality = (weights: Float32Array, features?: FeatureMap) =>
  ganQuality({ model: 'mlp-gan', dataset: 'mnist', weights, samples: SAMPLES, seed: SEED, ...(features ? { features } : {}) });

/** FD between the real sample ganQuality uses and the next, disjoint one of the same size. */
async function realVersusReal(features: FeatureMap): Promise<number> {
  const second = realSampleIndices(mnist.count, 2 * SAMPLES, SEED).slice(SAMPLES);
  const other = await imageStats(gatherBatch(mnist, second), SAMPLES, features);
  return frechetDistance(await realImageStats(mnist, SAMPLES, SEED, features), other);
}

/** `steps` GAN steps from `weights` with the trainer's own step, seeded data and noise: the same on every run. */
function trainGan(weights: Float32Array, steps: number, batch: number): Float32Array {
  const definition = getModel('mlp-gan');
  const gan = definition.build([28, 28, 1]);
  const optimizers = definition.createOptimizers();
  const named = { generator: gan.generator, discriminator: gan.discriminator };
  writeWeights(named, weights);
  const all = shardIndices(mnist.count, 1, 0);
  for (let step = 0; step < steps; step++) {
    const real = tf.tensor4d(gatherBatch(mnist, batchIndices(all, SEED, step, batch)), [batch, 28, 28, 1]);
    const noise = { discriminator: seededNoise(batch, gan.latentDim, `d/${step}`), generator: seededNoise(batch, gan.latentDim, `g/${step}`) };
    trainStep(gan, optimizers, real, noise);
    tf.dispose([real, noise.discriminator, noise.generator]);
  }
  const trained = readWeights(named);
  gan.generator.dispose();
  gan.discriminator.dispose();
  optimizers.generator.dispose();
  optimizers.discriminator.dispose();
  return trained;
}

let round0: Float32Array;
let round0Fd: number;

beforeAll(async () => {
  await selectBackend('wasm');
  round0 = seededGanWeights('mlp-gan', 'mnist', 'quality-test run');
}, 60_000);

// Generous timeouts: two test files share two cores, and a cold cache trains the classifier first.
describe('ganQuality', { timeout: 120_000 }, () => {
  it('uses a default classifier that labels over 95 % of held-out digits', async () => {
    const { classifier } = await loadOrTrainClassifier('mnist');
    console.info(`quality classifier: test accuracy ${classifier.testAccuracy} of ${classifier.testCount}, trained in ${classifier.trainSeconds.toFixed(1)} s on ${classifier.backend}`);
    expect(classifier.testAccuracy).toBeGreaterThan(0.95);
  });

  it('scores a second sample of real digits far better than the round-0 generator', async () => {
    const features = await classifierFeatureMap('mnist');
    round0Fd = (await quality(round0)).fd;
    const real = await realVersusReal(features);
    console.info(`FD on classifier features: real vs real ${real.toFixed(3)}, round 0 ${round0Fd.toFixed(3)}`);
    expect(real).toBeGreaterThan(0); // two different samples are never identical
    expect(real * 50).toBeLessThan(round0Fd);
  });

  it('scores the same on pixel features, where nothing was trained', async () => {
    const pixels = pixelFeatureMap(28, 28, 1);
    const round0Pixels = (await quality(round0, pixels)).fd;
    const real = await realVersusReal(pixels);
    console.info(`FD on pixel features: real vs real ${real.toFixed(4)}, round 0 ${round0Pixels.toFixed(3)}`);
    expect(real * 50).toBeLessThan(round0Pixels);
  });

  it('scores a GAN trained for 200 steps clearly better than round 0', async () => {
    const started = performance.now();
    const trained = trainGan(round0, 200, 8);
    const seconds = (performance.now() - started) / 1000;
    const fd = (await quality(trained)).fd;
    const pixels = pixelFeatureMap(28, 28, 1);
    const [pixelsTrained, pixelsRound0] = [(await quality(trained, pixels)).fd, (await quality(round0, pixels)).fd];
    console.info(`FD after 200 steps (${seconds.toFixed(1)} s): ${fd.toFixed(3)} vs round 0 ${round0Fd.toFixed(3)}; pixels ${pixelsTrained.toFixed(3)} vs ${pixelsRound0.toFixed(3)}`);
    expect(fd).toBeLessThan(0.75 * round0Fd);
    expect(fd).toBeGreaterThan(await realVersusReal(await classifierFeatureMap('mnist'))); // not yet real digits
    expect(pixelsTrained).toBeLessThan(0.75 * pixelsRound0);
  });

  it('is deterministic: the same weights, samples and seed give the same number', async () => {
    const again = await quality(round0);
    expect(again.fd).toBe(round0Fd);
    expect(again.samples).toBe(SAMPLES);
    const otherNoise = await ganQuality({ model: 'mlp-gan', dataset: 'mnist', weights: round0, samples: SAMPLES, seed: 'other' });
    expect(otherNoise.fd).not.toBe(round0Fd);
    expect(Math.abs(otherNoise.fd - round0Fd)).toBeLessThan(0.1 * round0Fd); // another sample, the same verdict
  });

  it('disposes every tensor it makes', async () => {
    const before = tf.memory().numTensors;
    await ganQuality({ model: 'mlp-gan', dataset: 'mnist', weights: round0, samples: 300, seed: 'leaks' });
    await quality(round0, pixelFeatureMap(28, 28, 1));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses weights of the wrong size and impossible sample counts', async () => {
    await expect(quality(round0.subarray(1))).rejects.toThrow(/weights/);
    await expect(ganQuality({ model: 'mlp-gan', dataset: 'mnist', weights: round0, samples: 1 })).rejects.toThrow(RangeError);
  });
});
