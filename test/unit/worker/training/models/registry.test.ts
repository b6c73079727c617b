import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODELS } from '../../../../../worker/api/contract.js';
import { buildDiscriminator as buildConvDiscriminator, buildGenerator as buildConvGenerator } from '../../../../../worker/training/models/dcgan.js';
import { defaultModelFor } from '../../../../../worker/training/models/catalog.js';
import { getModel, MODEL_ZOO } from '../../../../../worker/training/models/registry.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const parameters = (model: tf.LayersModel) => model.countParams();

describe('model zoo', () => {
  it.each(MODELS)('%s builds a 28×28×1 generator and a logit discriminator', (name) => {
    const definition = getModel(name);
    expect(MODEL_ZOO[name]).toBe(definition);
    const models = definition.build([28, 28, 1]);
    expect(models.latentDim).toBe(definition.latentDim);
    expect(models.generator.inputs[0]!.shape).toEqual([null, definition.latentDim]);
    expect(models.generator.outputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(models.discriminator.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(models.discriminator.outputs[0]!.shape).toEqual([null, 1]);
    console.info(`${name}: G ${parameters(models.generator)} + D ${parameters(models.discriminator)} parameters`);
    models.generator.dispose();
    models.discriminator.dispose();
  });

  it('sizes dcgan at about 0.8 M + 0.2 M parameters, mlp-gan at about 0.55 M + 0.53 M', () => {
    const dcgan = getModel('dcgan').build([28, 28, 1]);
    const mlp = getModel('mlp-gan').build([28, 28, 1]);
    expect(parameters(dcgan.generator)).toBeGreaterThan(0.75e6);
    expect(parameters(dcgan.generator)).toBeLessThan(0.95e6);
    expect(parameters(dcgan.discriminator)).toBeGreaterThan(0.18e6);
    expect(parameters(dcgan.discriminator)).toBeLessThan(0.25e6);
    expect(parameters(mlp.generator) + parameters(mlp.discriminator)).toBeLessThan(1.2e6);
    for (const model of [dcgan.generator, dcgan.discriminator, mlp.generator, mlp.discriminator]) model.dispose();
  });

  it('sizes tiny-gan at under a sixth of mlp-gan (many peers on one machine)', () => {
    const tiny = getModel('tiny-gan').build([28, 28, 1]);
    const total = parameters(tiny.generator) + parameters(tiny.discriminator);
    expect(total).toBeGreaterThan(0.1e6);
    expect(total).toBeLessThan(0.18e6);
    tiny.generator.dispose();
    tiny.discriminator.dispose();
  });

  it.each(MODELS)('%s generalises to other image shapes', (name) => {
    const { generator, discriminator, latentDim } = getModel(name).build([8, 12, 3]);
    const logits = tf.tidy(() => {
      const images = generator.apply(tf.zeros([2, latentDim])) as tf.Tensor;
      expect(images.shape).toEqual([2, 8, 12, 3]);
      return discriminator.apply(images) as tf.Tensor;
    });
    expect(logits.shape).toEqual([2, 1]);
    logits.dispose();
    generator.dispose();
    discriminator.dispose();
  });

  it('refuses shapes dcgan cannot halve twice', () => {
    expect(() => buildConvGenerator(100, [30, 28, 1])).toThrow(/divisible by 4/);
    expect(() => buildConvDiscriminator([28, 30, 1])).toThrow(/divisible by 4/);
  });

  it('uses GAN-style Adam: lr 2e-4, beta1 0.5, separate instances for G and D', () => {
    const optimizers = getModel('mlp-gan').createOptimizers();
    expect(optimizers.generator).not.toBe(optimizers.discriminator);
    expect(optimizers.generator.getClassName()).toBe('Adam');
    expect(optimizers.discriminator.getConfig()).toMatchObject({ learningRate: 2e-4, beta1: 0.5, beta2: 0.999 });
  });

  it('picks the convolutional GAN only where a native backend runs it fast', () => {
    expect(defaultModelFor('node-gpu')).toBe('dcgan');
    expect(defaultModelFor('node')).toBe('dcgan');
    expect(defaultModelFor('wasm')).toBe('mlp-gan');
    expect(defaultModelFor('cpu')).toBe('mlp-gan');
    expect(() => getModel('nope' as 'dcgan')).toThrow(/unknown model/);
  });
});
