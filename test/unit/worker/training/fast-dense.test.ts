/** FastDense against the stock dense layer: same outputs, same gradients, seedable by weights.ts. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../../worker/training/backend.js';
import { seededNoise } from '../../../../worker/training/gan.js';
import { fastDense } from '../../../../worker/training/fast-dense.js';
import { manifestOf, readWeights, seededWeights, writeWeights } from '../../../../worker/training/weights.js';

beforeAll(async () => {
  await selectBackend('wasm');
});

/** The same 12 → 7 → 3 network built from stock and from fast layers, with the same weights. */
function twins() {
  const build = (dense: typeof tf.layers.dense | typeof fastDense) =>
    tf.sequential({
      layers: [dense({ inputShape: [12], units: 7, activation: 'relu' }), dense({ units: 3 })],
    });
  const stock = build(tf.layers.dense);
  const fast = build(fastDense);
  writeWeights({ net: stock }, seededWeights({ net: stock }, 'twins'));
  writeWeights({ net: fast }, readWeights({ net: stock }));
  return { stock, fast };
}

describe('FastDense', () => {
  it('lays out its weights like a stock dense layer and seeds them from its initializer', () => {
    const { stock, fast } = twins();
    expect(manifestOf({ net: fast })).toEqual(manifestOf({ net: stock }));
    const seeded = seededWeights({ net: fast }, 'seed');
    expect(seeded.length).toBe(12 * 7 + 7 + 7 * 3 + 3);
    expect(seeded.subarray(12 * 7, 12 * 7 + 7).every((v) => v === 0)).toBe(true); // zero biases
    expect(seeded.subarray(0, 12 * 7).some((v) => v !== 0)).toBe(true);
    stock.dispose();
    fast.dispose();
  });

  it('computes the same outputs and the same weight gradients as tf.layers.dense', () => {
    const { stock, fast } = twins();
    const x = seededNoise(5, 12, 'x');
    const run = (model: tf.Sequential) =>
      tf.tidy(() => {
        const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x) as tf.Tensor)) as tf.Scalar, variables);
        return { value: value.dataSync()[0]!, grads: variables.map((v) => Array.from(grads[v.name]!.dataSync())) };
      });
    const [a, b] = [run(stock), run(fast)];
    const scale = Math.max(...a.grads.flat().map(Math.abs));
    expect(b.value / a.value).toBeCloseTo(1, 5);
    b.grads.forEach((grad, i) => grad.forEach((g, j) => expect((g - a.grads[i]![j]!) / scale).toBeCloseTo(0, 5)));
    expect(a.grads.flat().some((g) => g !== 0)).toBe(true);
    x.dispose();
    stock.dispose();
    fast.dispose();
  });
});
