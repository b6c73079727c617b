import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../../worker/training/data/datasets.js';
import { batchIndices, gatherBatch, shardIndices } from '../../../../worker/training/data/shards.js';
import { generateImages, seededNoise, trainStep, trainStepMicro, trainableVariables } from '../../../../worker/training/gan.js';
import { getModel } from '../../../../worker/training/models/registry.js';
import type { GanModels, GanOptimizers } from '../../../../worker/training/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Tiny shapes keep the cpu backend's convolution gradients (seconds per call at 28×28) out of the way. */
function setup(name: 'mlp-gan' | 'dcgan', shape: [number, number, number]): GanModels & { optimizers: GanOptimizers } {
  const definition = getModel(name);
  return { ...definition.build(shape), optimizers: definition.createOptimizers() };
}

function realBatch(batch: number, shape: [number, number, number], seed: string): tf.Tensor4D {
  return tf.tidy(() => seededNoise(batch, shape[0] * shape[1] * shape[2], seed).tanh().reshape([batch, ...shape]));
}

// The cpu backend is slow and CI runs two test files at once on two cores: generous, explicit timeouts.
describe('trainStep', { timeout: 120_000 }, () => {
  it.each([
    ['mlp-gan', [28, 28, 1], 2],
    ['dcgan', [4, 4, 1], 2],
  ] as const)('%s: leaks no tensors and returns finite losses', (name, shape, batch) => {
    const gan = setup(name, [...shape]);
    const real = realBatch(batch, [...shape], 'real');
    trainStep(gan, gan.optimizers, real); // warm-up: Adam creates its moment variables on the first step
    const before = tf.memory().numTensors;
    const losses = trainStep(gan, gan.optimizers, real);
    expect(tf.memory().numTensors).toBe(before);
    expect(Number.isFinite(losses.discriminator) && Number.isFinite(losses.generator)).toBe(true);
    real.dispose();
  });

  it('moves the generator towards fooling the discriminator it just trained against', () => {
    const gan = setup('mlp-gan', [8, 8, 1]);
    const real = realBatch(16, [8, 8, 1], 'real');
    const noise = { discriminator: seededNoise(16, gan.latentDim, 'd'), generator: seededNoise(16, gan.latentDim, 'g') };
    // G's loss under a fixed D on fixed noise: −log D(G(z)), which G's update must lower.
    const generatorLoss = () =>
      tf.tidy(() => {
        const logits = gan.discriminator.apply(gan.generator.apply(noise.generator, { training: true }), { training: true }) as tf.Tensor;
        return tf.losses.sigmoidCrossEntropy(tf.onesLike(logits), logits).dataSync()[0]!;
      });
    for (let i = 0; i < 3; i++) {
      const before = gan.generator.getWeights().map((w) => w.clone());
      trainStep(gan, gan.optimizers, real, noise); // D first, then G against the updated D
      const after = generatorLoss();
      const afterWeights = gan.generator.getWeights().map((w) => w.clone());
      gan.generator.setWeights(before);
      const withOldGenerator = generatorLoss();
      gan.generator.setWeights(afterWeights);
      expect(after).toBeLessThan(withOldGenerator);
      tf.dispose([...before, ...afterWeights]);
    }
    tf.dispose([real, noise.discriminator, noise.generator]);
  });

  it('updates each network only with its own optimizer', async () => {
    const gan = setup('mlp-gan', [28, 28, 1]);
    const snapshot = (variables: tf.Variable[]) => variables.map((v) => v.dataSync().slice());
    const g = snapshot(trainableVariables(gan.generator));
    const d = snapshot(trainableVariables(gan.discriminator));
    const real = realBatch(4, [28, 28, 1], 'real');
    trainStep(gan, gan.optimizers, real);
    real.dispose();
    // Adam holds two moments per variable it updated: exactly the network's own variables.
    for (const [optimizer, model] of [[gan.optimizers.generator, gan.generator], [gan.optimizers.discriminator, gan.discriminator]] as const) {
      const [iteration, ...moments] = await optimizer.getWeights();
      iteration!.tensor.dispose();
      expect(moments.map((m) => m.tensor.shape)).toEqual([...trainableVariables(model), ...trainableVariables(model)].map((v) => v.shape));
    }
    expect(snapshot(trainableVariables(gan.generator))).not.toEqual(g);
    expect(snapshot(trainableVariables(gan.discriminator))).not.toEqual(d);
  });

  it('is a pure function of weights, batch and noise, with or without label smoothing', () => {
    const losses = (labelSmoothing: number) => {
      const gan = setup('mlp-gan', [8, 8, 1]);
      const fresh = setup('mlp-gan', [8, 8, 1]);
      fresh.generator.setWeights(gan.generator.getWeights());
      fresh.discriminator.setWeights(gan.discriminator.getWeights());
      const real = realBatch(4, [8, 8, 1], 'real');
      const noise = { discriminator: seededNoise(4, gan.latentDim, 'd'), generator: seededNoise(4, gan.latentDim, 'g') };
      const result = [trainStep(gan, gan.optimizers, real, noise, { labelSmoothing }), trainStep(fresh, fresh.optimizers, real, noise, { labelSmoothing })];
      tf.dispose([real, noise.discriminator, noise.generator]);
      return result;
    };
    const [plain, plainAgain] = losses(0);
    const [smoothed] = losses(0.1);
    expect(plainAgain).toEqual(plain);
    expect(smoothed!.discriminator).not.toBe(plain!.discriminator);
  });

  it('rejects mismatched noise and impossible smoothing', () => {
    const gan = setup('mlp-gan', [8, 8, 1]);
    const real = realBatch(4, [8, 8, 1], 'real');
    const wrong = seededNoise(3, gan.latentDim, 'x');
    expect(() => trainStep(gan, gan.optimizers, real, { discriminator: wrong, generator: wrong })).toThrow(/does not match/);
    expect(() => trainStep(gan, gan.optimizers, real, undefined, { labelSmoothing: 1 })).toThrow(RangeError);
    tf.dispose([real, wrong]);
  });

  it('teaches the mlp-gan discriminator to tell MNIST digits from fakes within a couple of dozen steps', () => {
    const gan = setup('mlp-gan', [28, 28, 1]);
    const mnist = loadDataset('mnist');
    const subset = shardIndices(mnist.count, 40, 0); // 250 digits of every class
    const batchSize = 8; // the cpu backend needs ~0.3 s a step even so; batch 64 would take seconds
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) {
      const real = tf.tensor4d(gatherBatch(mnist, batchIndices(subset, 'learn', step, batchSize)), [batchSize, 28, 28, 1]);
      losses.push(trainStep(gan, gan.optimizers, real).discriminator);
      real.dispose();
    }
    const lastFive = losses.slice(-5).reduce((sum, x) => sum + x, 0) / 5;
    console.info(`mlp-gan D loss: ${losses.map((loss) => loss.toFixed(2)).join(' ')}`);
    // The first loss is measured before any update. Chance level is ln 4 ≈ 1.39 (two cross-entropies at
    // p = ½); a D that has learned nothing hovers around it, one that separates real from fake falls well below.
    expect(lastFive).toBeLessThan(0.95);
    expect(lastFive).toBeLessThan(losses[0]!);
  });
});

describe('generateImages', () => {
  it('paints images in [-1, 1] in inference mode, leaving batch-norm statistics alone', () => {
    const { generator, latentDim } = getModel('dcgan').build([4, 4, 1]);
    const statistics = () => generator.getWeights().map((w) => w.dataSync().slice());
    const before = statistics();
    const noise = seededNoise(3, latentDim, 'paint');
    const images = generateImages(generator, noise);
    expect(images.shape).toEqual([3, 4, 4, 1]);
    expect(images.dataSync().every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(statistics()).toEqual(before);
    tf.dispose([noise, images]);
  });

  it('seededNoise gives the same latent vectors for the same seed', () => {
    const [a, b, c] = [seededNoise(2, 5, 's'), seededNoise(2, 5, 's'), seededNoise(2, 5, 't')];
    expect(a.shape).toEqual([2, 5]);
    expect(a.dataSync()).toEqual(b.dataSync());
    expect(a.dataSync()).not.toEqual(c.dataSync());
    tf.dispose([a, b, c]);
  });
});

describe('trainStepMicro', () => {
  const shape: [number, number, number] = [8, 8, 1];
  const twins = () => {
    const gan = setup('mlp-gan', shape);
    const twin = setup('mlp-gan', shape);
    twin.generator.setWeights(gan.generator.getWeights());
    twin.discriminator.setWeights(gan.discriminator.getWeights());
    const real = realBatch(8, shape, 'real');
    const noise = { discriminator: seededNoise(8, gan.latentDim, 'd'), generator: seededNoise(8, gan.latentDim, 'g') };
    return { gan, twin, real, noise, dispose: () => tf.dispose([real, noise.discriminator, noise.generator]) };
  };
  const weights = (gan: GanModels) =>
    [...trainableVariables(gan.generator), ...trainableVariables(gan.discriminator)].map((v) => v.dataSync().slice());

  it('averages micro-batch gradients into the same step as the whole batch', () => {
    const { gan, twin, real, noise, dispose } = twins();
    const whole = trainStep(gan, gan.optimizers, real, noise);
    const micro = trainStep(twin, twin.optimizers, real, noise, { microBatch: 2 });
    expect(micro.discriminator).toBeCloseTo(whole.discriminator, 5);
    expect(micro.generator).toBeCloseTo(whole.generator, 5);
    const [a, b] = [weights(gan), weights(twin)];
    a.forEach((values, i) => values.forEach((v, j) => expect(b[i]![j]!).toBeCloseTo(v, 5)));
    dispose();
  });

  it('yields between micro-batches: 4 for D, then 3 more for G, finishing on the last', () => {
    const { gan, real, noise, dispose } = twins();
    const steps = trainStepMicro(gan, gan.optimizers, real, noise, { microBatch: 2 });
    let yields = 0;
    while (!steps.next().done) yields++;
    expect(yields).toBe(7);
    dispose();
  });

  it('can be abandoned mid-step without leaking tensors or touching the weights', () => {
    const { gan, real, noise, dispose } = twins();
    trainStep(gan, gan.optimizers, real, noise); // Adam's slots exist from here on
    const before = tf.memory().numTensors;
    const snapshot = weights(gan);
    const steps = trainStepMicro(gan, gan.optimizers, real, noise, { microBatch: 2 });
    steps.next();
    steps.next(); // two of D's four micro-batches summed, nothing applied yet
    steps.return(undefined as never);
    expect(tf.memory().numTensors).toBe(before);
    expect(weights(gan)).toEqual(snapshot);
    dispose();
  });

  it('ends early during D by dropping the step, with the weights untouched', () => {
    const { gan, real, noise, dispose } = twins();
    trainStep(gan, gan.optimizers, real, noise);
    const before = tf.memory().numTensors;
    const snapshot = weights(gan);
    const steps = trainStepMicro(gan, gan.optimizers, real, noise, { microBatch: 2 });
    steps.next();
    steps.next();
    expect(steps.next(true)).toEqual({ done: true, value: null });
    expect(weights(gan)).toEqual(snapshot);
    expect(tf.memory().numTensors).toBe(before);
    dispose();
  });

  it('dcgan: a dropped step puts back the batch-norm statistics its forward passes moved', () => {
    const gan = setup('dcgan', [4, 4, 1]);
    const real = realBatch(16, [4, 4, 1], 'real');
    const noise = { discriminator: seededNoise(16, gan.latentDim, 'd'), generator: seededNoise(16, gan.latentDim, 'g') };
    trainStep(gan, gan.optimizers, real, noise, { microBatch: 8 });
    const everything = () => [...gan.generator.getWeights(), ...gan.discriminator.getWeights()].map((w) => w.dataSync().slice());
    const snapshot = everything();
    expect(gan.generator.nonTrainableWeights.length + gan.discriminator.nonTrainableWeights.length).toBeGreaterThan(0);
    const steps = trainStepMicro(gan, gan.optimizers, real, noise, { microBatch: 8 });
    steps.next(); // D's first micro-batch ran G and D forward in training mode
    expect(steps.next(true)).toEqual({ done: true, value: null });
    expect(everything()).toEqual(snapshot);
    tf.dispose([real, noise.discriminator, noise.generator]);
  });

  it('ends early during G by updating G with the micro-batches it has: the step counts', () => {
    const { gan, twin, real, noise, dispose } = twins();
    const gBefore = trainableVariables(gan.generator).map((v) => v.dataSync().slice());
    const steps = trainStepMicro(gan, gan.optimizers, real, noise, { microBatch: 2 });
    for (let i = 0; i < 5; i++) steps.next(); // D's 4 micro-batches, then G's first
    const result = steps.next(true);
    expect(result.done).toBe(true);
    const losses = result.value!;
    expect(Number.isFinite(losses.discriminator) && Number.isFinite(losses.generator)).toBe(true);
    // D took its whole step, exactly as the full step would have.
    const full = trainStep(twin, twin.optimizers, real, noise, { microBatch: 2 });
    expect(losses.discriminator).toBeCloseTo(full.discriminator, 5);
    expect(trainableVariables(gan.generator).map((v) => v.dataSync().slice())).not.toEqual(gBefore);
    dispose();
  });

  it('refuses a micro-batch that does not divide the batch', () => {
    const { gan, real, dispose } = twins();
    expect(() => trainStep(gan, gan.optimizers, real, undefined, { microBatch: 3 })).toThrow(/must divide/);
    dispose();
  });
});
