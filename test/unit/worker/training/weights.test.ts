import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getModel } from '../../../../worker/training/models/registry.js';
import { manifestOf, readWeights, seededWeights, writeWeights } from '../../../../worker/training/weights.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

const build = (name: 'mlp-gan' | 'dcgan') => {
  const { generator, discriminator } = getModel(name).build([8, 8, 1]);
  return { generator, discriminator };
};

describe('weights', () => {
  it('names every weight by model, layer and role, the same in every build (tfjs names are not)', () => {
    const [a, b] = [build('dcgan'), build('dcgan')];
    expect(a.generator.weights[0]!.originalName).not.toBe(b.generator.weights[0]!.originalName);
    const manifest = manifestOf(a);
    expect(manifestOf(b)).toEqual(manifest);
    expect(manifest.tensors.slice(0, 5).map((t) => t.name)).toEqual([
      'generator.0.kernel',
      'generator.1.gamma',
      'generator.1.beta',
      'generator.1.moving_mean',
      'generator.1.moving_variance',
    ]);
    // Every weight, trainable or not: batch-norm statistics are part of the model peers must agree on.
    expect(manifest.size).toBe(a.generator.countParams() + a.discriminator.countParams());
  });

  it('draws round-0 weights from the seed alone: the same bytes for the same seed, others for another', () => {
    const models = build('mlp-gan');
    const first = seededWeights(models, 'run-a');
    expect(seededWeights(build('mlp-gan'), 'run-a')).toEqual(first);
    const other = seededWeights(models, 'run-b');
    expect(other.filter((v, i) => v !== first[i]).length).toBeGreaterThan(first.length * 0.9);
  });

  it('follows each layer initializer: Glorot (truncated normal) kernels, zero biases, unit batch-norm scale and variance', () => {
    const models = build('dcgan');
    const values = seededWeights(models, 'run');
    const manifest = manifestOf(models);
    let offset = 0;
    const byName = new Map<string, Float32Array>();
    for (const { name, shape } of manifest.tensors) {
      const size = shape.reduce((p, d) => p * d, 1);
      byName.set(name, values.subarray(offset, offset + size));
      offset += size;
    }
    const kernel = byName.get('discriminator.2.kernel')!; // conv 5×5, 64 → 128
    const glorotVariance = 2 / (25 * 64 + 25 * 128);
    const stddev = Math.sqrt(glorotVariance) / 0.87962566103423978;
    expect(kernel.reduce((max, v) => Math.max(max, Math.abs(v)), 0)).toBeLessThanOrEqual(2 * stddev + 1e-7);
    const mean = kernel.reduce((sum, v) => sum + v, 0) / kernel.length;
    const variance = kernel.reduce((sum, v) => sum + (v - mean) ** 2, 0) / kernel.length;
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(variance / glorotVariance).toBeGreaterThan(0.97);
    expect(variance / glorotVariance).toBeLessThan(1.03);
    expect(byName.get('discriminator.5.bias')!.every((v) => v === 0)).toBe(true);
    expect(byName.get('generator.1.gamma')!.every((v) => v === 1)).toBe(true);
    expect(byName.get('generator.1.moving_variance')!.every((v) => v === 1)).toBe(true);
    expect(byName.get('generator.1.moving_mean')!.every((v) => v === 0)).toBe(true);
  });

  it('writes and reads back bit for bit, on the cpu and the wasm backend alike', async () => {
    const seeded = seededWeights(build('dcgan'), 'run');
    const roundTrip = async (backend: string) => {
      await tf.setBackend(backend);
      const models = build('dcgan');
      writeWeights(models, seeded);
      return readWeights(models);
    };
    const onCpu = await roundTrip('cpu');
    const onWasm = await roundTrip('wasm');
    expect(Buffer.from(onCpu.buffer).equals(Buffer.from(seeded.buffer))).toBe(true);
    expect(Buffer.from(onWasm.buffer).equals(Buffer.from(seeded.buffer))).toBe(true);
    await tf.setBackend('cpu');
  });

  it('refuses a vector of the wrong length', () => {
    const models = build('mlp-gan');
    expect(() => writeWeights(models, new Float32Array(manifestOf(models).size - 1))).toThrow(/got \d+ floats, the model has/);
  });
});
