import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../../../worker/training/data/datasets.js';
import { batchIndices, gatherBatch, shardIndices } from '../../../../../worker/training/data/shards.js';
import { createGanTask } from '../../../../../worker/training/tasks/gan-task.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const task = () => createGanTask({ model: 'mlp-gan', dataset: 'mnist', runId: 'task-run', shard: 2, shardCount: 8 });
const values = (batch: unknown) => (batch as { real: tf.Tensor }).real.dataSync();

describe('the GAN task', { timeout: 60_000 }, () => {
  it('gives the same batch for the same step, and another for the next', () => {
    const gan = task();
    const [a, b, c] = [gan.batch(5, 4), gan.batch(5, 4), gan.batch(6, 4)];
    expect(values(a)).toEqual(values(b));
    expect(values(c)).not.toEqual(values(a));
    [a, b, c].forEach((batch) => batch.dispose());
  });

  it("draws its batches from the options' shard in the run's order, then from each assignment in its seed's order", () => {
    const gan = task();
    const mnist = loadDataset('mnist');
    const expected = (shard: number, seed: string, step: number) => gatherBatch(mnist, batchIndices(shardIndices(mnist.count, 8, shard), seed, step, 4));
    const drawn = (step: number) => {
      const batch = gan.batch(step, 4);
      const data = Float32Array.from(values(batch));
      batch.dispose();
      return data;
    };
    expect(drawn(3)).toEqual(expected(2, 'task-run', 3));
    gan.assign({ shard: 5, seed: 'round-7' });
    for (const step of [0, 1, 2]) expect(drawn(step)).toEqual(expected(5, 'round-7', step));
    expect(drawn(0)).not.toEqual(expected(2, 'task-run', 0));
    gan.assign({ shard: 5, seed: 'round-8' });
    const reseeded = drawn(0);
    expect(reseeded).toEqual(expected(5, 'round-8', 0));
    expect(reseeded).not.toEqual(expected(5, 'round-7', 0));
    expect(() => gan.assign({ shard: 8, seed: 'round-9' })).toThrow(RangeError);
    expect(drawn(0)).toEqual(reseeded); // a refused assignment changes nothing
  });

  it('reports named losses, evaluates without training, and trains through its weight vector', () => {
    const gan = task();
    expect(gan.lossNames).toEqual(['discriminator', 'generator']);
    const batch = gan.batch(0, 4);
    const before = gan.readWeights();
    expect(before.length).toBe(gan.manifest.size);
    const evaluated = gan.evaluate(batch);
    expect(Object.keys(evaluated)).toEqual(['discriminator', 'generator']);
    expect(Object.values(evaluated).every(Number.isFinite)).toBe(true);
    expect(gan.readWeights()).toEqual(before); // evaluation is not training
    expect(gan.evaluate(batch)).toEqual(evaluated); // and it is deterministic

    const steps = gan.trainStep(batch, 2);
    let result = steps.next();
    while (!result.done) result = steps.next();
    expect(Object.keys(result.value!)).toEqual(['discriminator', 'generator']);
    const after = gan.readWeights();
    expect(after).not.toEqual(before);
    gan.writeWeights(before);
    expect(gan.readWeights()).toEqual(before);
    batch.dispose();
  });

  it('paints a preview grid', () => {
    const preview = task().preview()!;
    expect(preview.width).toBeGreaterThan(28 * 8);
    expect([...preview.png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]); // "PNG"
  });
});
