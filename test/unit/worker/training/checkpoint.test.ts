import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, readCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../../../worker/training/checkpoint.js';
import { ganNetworks, seededNoise, trainStep, type StepNoise } from '../../../../worker/training/gan.js';
import { getModel } from '../../../../worker/training/models/registry.js';
import type { GanModels, GanOptimizers } from '../../../../worker/training/types.js';

type Gan = GanModels & { optimizers: GanOptimizers };
type Shape = [number, number, number];

const dir = mkdtempSync(join(tmpdir(), 'airtist-checkpoint-'));
beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setup(name: 'mlp-gan' | 'dcgan', shape: Shape): Gan {
  const definition = getModel(name);
  return { ...definition.build(shape), optimizers: definition.createOptimizers() };
}

/** The same real batch and noise for step `step` on any copy of the networks. */
function step(gan: Gan, shape: Shape, seed: number) {
  const batch = 2;
  const real = tf.tidy(() => seededNoise(batch, shape[0] * shape[1] * shape[2], `real-${seed}`).tanh().reshape([batch, ...shape]) as tf.Tensor4D);
  const noise: StepNoise = { discriminator: seededNoise(batch, gan.latentDim, `d-${seed}`), generator: seededNoise(batch, gan.latentDim, `g-${seed}`) };
  const losses = trainStep(gan, gan.optimizers, real, noise);
  tf.dispose([real, noise.discriminator, noise.generator]);
  return losses;
}

/**
 * A fingerprint of every weight (batch-norm statistics included) and every optimizer slot: sha256 of the raw
 * float bytes, so equal fingerprints mean bit-identical tensors (and comparing megabytes stays fast).
 */
async function state(gan: Gan): Promise<string[]> {
  const bytes = (t: tf.Tensor) => `${t.shape}:${createHash('sha256').update(t.dataSync() as Float32Array).digest('hex')}`;
  const slots = async (optimizer: tf.Optimizer) => {
    const [iteration, ...rest] = await optimizer.getWeights();
    const all = [iteration!, ...rest].map((w) => bytes(w.tensor));
    iteration!.tensor.dispose();
    return all;
  };
  return [
    ...gan.generator.getWeights().map(bytes),
    ...gan.discriminator.getWeights().map(bytes),
    ...(await slots(gan.optimizers.generator)),
    ...(await slots(gan.optimizers.discriminator)),
  ];
}

describe('checkpoints', () => {
  it.each([
    ['mlp-gan', [28, 28, 1]],
    ['dcgan', [4, 4, 1]], // tiny: cpu conv gradients are slow; batch norm makes it the interesting case
  ] as const)('%s resumes bit-identically in freshly built models and optimizers', async (name, shape) => {
    const original = setup(name, [...shape]);
    step(original, [...shape], 1);
    step(original, [...shape], 2);
    const path = join(dir, `${name}.ckpt`);
    await saveCheckpoint(path, { runId: 'run-a', step: 2 }, ganNetworks(original, original.optimizers));
    console.info(`${name} ${shape.join('×')} checkpoint: ${statSync(path).size} bytes`);

    const resumed = setup(name, [...shape]); // new layer and variable names: matching must be by position
    const checkpoint = await readCheckpoint(path);
    expect(checkpoint?.meta).toEqual({ runId: 'run-a', step: 2 });
    await restoreCheckpoint(checkpoint!, ganNetworks(resumed, resumed.optimizers));
    expect(await state(resumed)).toEqual(await state(original));

    const before = tf.memory().numTensors;
    expect(step(resumed, [...shape], 3)).toEqual(step(original, [...shape], 3));
    expect(tf.memory().numTensors).toBe(before);
    expect(await state(resumed)).toEqual(await state(original));
  });

  it('handles a checkpoint taken before the first step, restored into used or unused optimizers', async () => {
    const shape: Shape = [8, 8, 1];
    const original = setup('mlp-gan', shape);
    const path = join(dir, 'fresh.ckpt');
    await saveCheckpoint(path, {}, ganNetworks(original, original.optimizers));
    const checkpoint = (await readCheckpoint(path))!;
    expect(checkpoint.networks.generator!.optimizer).toMatchObject({ iterations: 0, state: [] });

    const unused = setup('mlp-gan', shape);
    const used = setup('mlp-gan', shape);
    step(used, shape, 9);
    for (const gan of [unused, used]) await restoreCheckpoint(checkpoint, ganNetworks(gan, gan.optimizers));
    const tensorsAfterRestore = tf.memory().numTensors;
    const expected = step(original, shape, 1);
    expect(step(unused, shape, 1)).toEqual(expected);
    expect(step(used, shape, 1)).toEqual(expected);
    expect(await state(used)).toEqual(await state(original));
    // The used optimizer's old moments were freed, and new ones were made for all three runs.
    expect(tf.memory().numTensors).toBe(tensorsAfterRestore + 3 * 2 * 2 * 6);
  });

  it('returns null when there is no checkpoint, and overwrites atomically without leaving temp files', async () => {
    expect(await readCheckpoint(join(dir, 'missing', 'none.ckpt'))).toBeNull();
    const gan = setup('mlp-gan', [8, 8, 1]);
    const path = join(dir, 'nested', 'again.ckpt');
    await saveCheckpoint(path, { round: 1 }, ganNetworks(gan, gan.optimizers));
    await saveCheckpoint(path, { round: 2 }, ganNetworks(gan, gan.optimizers));
    expect((await readCheckpoint(path))?.meta).toEqual({ round: 2 });
    expect(readdirSync(join(dir, 'nested'))).toEqual(['again.ckpt']);
  });

  describe('damaged files', () => {
    let good: Buffer;
    const path = join(dir, 'damaged.ckpt');
    const gan = () => setup('mlp-gan', [8, 8, 1]);
    const headerEnd = () => 48 + good.readUInt32LE(12);

    beforeAll(async () => {
      const source = gan();
      step(source, [8, 8, 1], 1);
      await saveCheckpoint(join(dir, 'good.ckpt'), { note: 'x' }, ganNetworks(source, source.optimizers));
      good = readFileSync(join(dir, 'good.ckpt'));
    });

    async function readDamaged(damage: (bytes: Buffer) => Buffer): Promise<unknown> {
      writeFileSync(path, damage(Buffer.from(good)));
      return readCheckpoint(path).catch((error: unknown) => error);
    }

    it.each([
      ['a flipped body byte', (b: Buffer) => (b[b.length - 5]! ^= 0x10, b), /body is corrupt/],
      ['a flipped header byte', (b: Buffer) => (b[60]! ^= 0x01, b), /header is corrupt/],
      ['a truncated body', (b: Buffer) => b.subarray(0, b.length - 100), /truncated/],
      ['a cut inside the header', (b: Buffer) => b.subarray(0, 100), /truncated inside the header/],
      ['a cut inside the prefix', (b: Buffer) => b.subarray(0, 20), /truncated/],
      ['an empty file', () => Buffer.alloc(0), /truncated/],
      ['trailing bytes', (b: Buffer) => Buffer.concat([b, Buffer.from([0])]), /unexpected bytes after the body/],
      ['another format', (b: Buffer) => (b.write('NOTACKPT', 0, 'latin1'), b), /not an AIRTIST checkpoint/],
      ['a future version', (b: Buffer) => (b.writeUInt32LE(99, 8), b), /version 99 is not supported/],
      ['an absurd header length', (b: Buffer) => (b.writeUInt32LE(0xffffffff, 12), b), /corrupt header length/],
    ])('rejects %s with a clear error', async (_, damage, message) => {
      const error = await readDamaged(damage);
      expect(error).toBeInstanceOf(CheckpointError);
      expect((error as Error).message).toMatch(message);
      expect(headerEnd()).toBeGreaterThan(60); // the flipped header byte really was inside the header
    });

    it('refuses to restore into a different model, before changing anything', async () => {
      writeFileSync(path, good);
      const checkpoint = (await readCheckpoint(path))!;
      const other = setup('mlp-gan', [12, 12, 1]);
      const before = await state(other);
      await expect(restoreCheckpoint(checkpoint, ganNetworks(other, other.optimizers))).rejects.toThrow(/generator weights: tensor 4 is \[512,64\] in the checkpoint, \[512,144\] in the model/);
      expect(await state(other)).toEqual(before);
      const dcgan = setup('dcgan', [8, 8, 1]);
      await expect(restoreCheckpoint(checkpoint, ganNetworks(dcgan, dcgan.optimizers))).rejects.toBeInstanceOf(CheckpointError);
    });
  });

  it('reads the version 1 layout (a GAN in fixed fields) as networks by name', async () => {
    // Written by the release before networks were named: a tiny generator 2→3 and discriminator 3→1.
    const checkpoint = (await readCheckpoint(new URL('./fixtures/v1-tiny.ckpt', import.meta.url).pathname))!;
    expect(checkpoint.meta).toMatchObject({ step: 7 });
    expect(Object.keys(checkpoint.networks)).toEqual(['generator', 'discriminator']);
    expect([...checkpoint.networks.generator!.weights[0]!.values]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...checkpoint.networks.discriminator!.weights[1]!.values]).toEqual([-1]);
    expect(checkpoint.networks.discriminator!.optimizer).toMatchObject({ className: 'Adam', iterations: 0 });
  });

  it('refuses networks the task does not have, before changing anything', async () => {
    const gan = setup('mlp-gan', [8, 8, 1]);
    const path = join(dir, 'names.ckpt');
    await saveCheckpoint(path, {}, ganNetworks(gan, gan.optimizers));
    const checkpoint = (await readCheckpoint(path))!;
    const renamed = { critic: ganNetworks(gan, gan.optimizers).discriminator!, generator: ganNetworks(gan, gan.optimizers).generator! };
    await expect(restoreCheckpoint(checkpoint, renamed)).rejects.toThrow(/holds networks \[generator,discriminator\], the task has \[critic,generator\]/);
  });
});
