/**
 * End to end: gradients of tf.conv2d and tf.conv2dTranspose w.r.t. input and
 * filter through tf.grads on wasm (with our kernels) vs the stock cpu backend,
 * plus a training step that must not leak tensors or wasm heap buffers.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmConvKernels } from '../../../../../worker/training/kernels/index.js';
import { convOutShape, expectClose, seededValues, type Shape4, size, valuesOn } from './helpers.js';

interface GradCase {
  x: Shape4; // conv2d input; for conv2dTranspose, the transposed conv's *output* shape
  filter: Shape4;
  stride: number;
  pad: 'same' | 'valid';
}

const cases: GradCase[] = [
  { x: [2, 8, 8, 1], filter: [5, 5, 1, 8], stride: 2, pad: 'same' },
  { x: [3, 7, 7, 4], filter: [3, 3, 4, 6], stride: 1, pad: 'same' },
  { x: [1, 9, 9, 3], filter: [4, 4, 3, 5], stride: 2, pad: 'valid' },
  { x: [4, 6, 6, 8], filter: [2, 2, 8, 4], stride: 2, pad: 'valid' },
  { x: [2, 10, 10, 5], filter: [1, 1, 5, 3], stride: 1, pad: 'valid' },
  { x: [5, 7, 7, 2], filter: [5, 5, 2, 3], stride: 1, pad: 'valid' },
  { x: [8, 14, 14, 8], filter: [5, 5, 8, 16], stride: 2, pad: 'same' }, // a small DCGAN layer
];

const label = (c: GradCase) => `x[${c.x}] f[${c.filter}] s${c.stride} ${c.pad}`;

/**
 * Loss = Σ conv(x, f) · r with a fixed random r, so the upstream gradient dy = r
 * is not a constant (a constant dy would hide index mistakes).
 */
function convGrads(c: GradCase, transpose: boolean): () => tf.Tensor[] {
  const outShape = convOutShape(c.x, c.filter, c.stride, c.pad);
  // conv2dTranspose maps a tensor shaped like the conv output back to c.x.
  const inShape = transpose ? outShape : c.x;
  const resultShape = transpose ? c.x : outShape;
  const xv = seededValues(size(inShape), 101), fv = seededValues(size(c.filter), 202);
  const rv = seededValues(size(resultShape), 303);
  return () => tf.tidy(() => {
    const x = tf.tensor4d(xv, inShape), f = tf.tensor4d(fv, c.filter), r = tf.tensor4d(rv, resultShape);
    const loss = (a: tf.Tensor, b: tf.Tensor) => {
      const y = transpose
        ? tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, c.x, c.stride, c.pad)
        : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
      return tf.sum(tf.mul(y, r));
    };
    const forward = transpose
      ? tf.conv2dTranspose(x, f, c.x, c.stride, c.pad)
      : tf.conv2d(x, f, c.stride, c.pad);
    return [forward, ...tf.grads(loss)([x, f])];
  });
}

beforeAll(async () => {
  registerWasmConvKernels();
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('tf.grads through conv2d on wasm vs cpu', () => {
  it.each(cases.map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    const ref = await valuesOn('cpu', convGrads(c, false));
    const got = await valuesOn('wasm', convGrads(c, false));
    expectClose(got, ref, `conv2d ${label(c)} [y, dx, df]`);
  });
});

describe('tf.grads through conv2dTranspose on wasm vs cpu', () => {
  it.each(cases.map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    const ref = await valuesOn('cpu', convGrads(c, true));
    const got = await valuesOn('wasm', convGrads(c, true));
    expectClose(got, ref, `conv2dTranspose ${label(c)} [y, dx, df]`);
  });
});

describe('memory', () => {
  it('an optimizer step through conv2d and conv2dTranspose leaks no tensors or heap buffers', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const x = tf.tensor4d(seededValues(4 * 8 * 8 * 2, 5), [4, 8, 8, 2]);
    const w1 = tf.variable<tf.Rank.R4>(tf.tensor4d(seededValues(3 * 3 * 2 * 4, 6), [3, 3, 2, 4]).mul(0.1));
    const w2 = tf.variable<tf.Rank.R4>(tf.tensor4d(seededValues(4 * 4 * 2 * 4, 7), [4, 4, 2, 4]).mul(0.1));
    const opt = tf.train.adam(1e-3);
    const step = () => opt.minimize(() => {
      const h = tf.relu(tf.conv2d(x, w1, 2, 'same'));
      const y = tf.conv2dTranspose(h, w2, [4, 8, 8, 2], 2, 'same');
      return tf.mean(tf.square(tf.sub(y, x)));
    });
    step(); // the optimizer creates its slot variables on the first step
    const tensors = tf.memory().numTensors, buffers = backend.numDataIds();
    const before = await w1.data();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(backend.numDataIds()).toBe(buffers);
    expect(Array.from(await w1.data())).not.toEqual(Array.from(before)); // the filter gradient did flow
    tf.dispose([x, w1, w2]);
    opt.dispose();
  });
});
