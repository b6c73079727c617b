import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGanTask } from '../../../../../worker/training/tasks/gan-task.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const task = () => createGanTask({ model: 'mlp-gan', dataset: 'mnist', runId: 'task-run', shard: 2, shardCount: 8 });

describe('the GAN task', { timeout: 60_000 }, () => {
  it('gives the same batch for the same step, and another for the next', () => {
    const gan = task();
    const [a, b, c] = [gan.batch(5, 4), gan.batch(5, 4), gan.batch(6, 4)];
    const values = (batch: unknown) => (batch as { real: tf.Tensor }).real.dataSync();
    expect(values(a)).toEqual(values(b));
    expect(values(c)).not.toEqual(values(a));
    [a, b, c].forEach((batch) => batch.dispose());
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
