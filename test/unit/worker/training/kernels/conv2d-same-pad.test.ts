/**
 * The wasm Conv2D / FusedConv2D wrappers: wasm (with our kernels) vs the stock
 * cpu backend for the 'same'-padding geometries the stock wasm kernels get
 * wrong, plus a grid check that the rerouting rule is exactly the stock bug.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conv2dConfig, displacedWasmKernel, fusedConv2dConfig, registerWasmConvKernels, stockSamePadIsWrong,
} from '../../../../../worker/training/kernels/index.js';
import { convOutShape, expectClose, seededValues, type Shape4, size, valuesOn } from './helpers.js';

interface Case {
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
}

/** Each has (out − 1)·stride + k < in on at least one axis: wholly wrong on the stock wasm kernels. */
const brokenCases: Case[] = [
  { x: [2, 8, 8, 3], filter: [3, 3, 3, 4], strides: 4 }, // both axes
  { x: [2, 5, 6, 2], filter: [2, 2, 2, 3], strides: 3 }, // width only
  { x: [1, 6, 7, 2], filter: [2, 2, 2, 5], strides: 3 }, // height only
  { x: [3, 7, 9, 4], filter: [2, 3, 4, 2], strides: [4, 5] },
  { x: [2, 12, 13, 2], filter: [3, 1, 2, 3], strides: [4, 1] }, // a k×1 kernel: the 1-wide axis is fine
  { x: [1, 10, 11, 3], filter: [1, 4, 3, 4], strides: [5, 5] }, // the broken axis has k = 1
];

const label = (c: Case) => `x[${c.x}] f[${c.filter}] s${JSON.stringify(c.strides)}`;
const infoOf = (c: Case) => tf.backend_util.computeConv2DInfo(c.x, c.filter, c.strides, 1, 'same');

function data(c: Case) {
  const outShape = convOutShape(c.x, c.filter, c.strides, 'same');
  return {
    xv: seededValues(size(c.x), 1), fv: seededValues(size(c.filter), 2), bv: seededValues(c.filter[3], 3),
    yv: seededValues(size(outShape), 4), outShape,
  };
}

beforeAll(async () => {
  registerWasmConvKernels();
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('same-padding geometries the stock wasm Conv2D gets wrong, vs cpu', () => {
  it.each(brokenCases.map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    expect(stockSamePadIsWrong(infoOf(c)), 'the case exercises the bug').toBe(true);
    const { xv, fv, bv } = data(c);
    const run = () => tf.tidy(() => {
      const x = tf.tensor4d(xv, c.x), f = tf.tensor4d(fv, c.filter), bias = tf.tensor1d(bv);
      return [
        tf.conv2d(x, f, c.strides, 'same'),
        tf.fused.conv2d({ x, filter: f, strides: c.strides, pad: 'same', bias, activation: 'relu' }),
        // Kernel level only (the op rejects it): 'same' ignores dimRoundingMode, so must the rerouted call.
        tf.engine().runKernel(tf.Conv2D, { x, filter: f }, { strides: c.strides, pad: 'same', dataFormat: 'NHWC',
          dilations: 1, dimRoundingMode: 'ceil' }) as tf.Tensor,
      ];
    });
    expectClose(await valuesOn('wasm', run), await valuesOn('cpu', run), `${label(c)} [conv2d, fused, ceil]`);
  });

  // conv2dTranspose's input gradient is a Conv2D with the same geometry.
  it.each(brokenCases.map((c) => [label(c), c] as const))('tf.grads of conv2dTranspose %s', async (_name, c) => {
    const { xv, fv, yv, outShape } = data(c);
    const run = () => tf.tidy(() => {
      // conv2dTranspose maps y (shaped like the conv output) back to c.x; r fixes a non-constant upstream gradient.
      const y = tf.tensor4d(yv, outShape), f = tf.tensor4d(fv, c.filter), r = tf.tensor4d(xv, c.x);
      const loss = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, c.x, c.strides, 'same'), r));
      return tf.grads(loss)([y, f]);
    });
    expectClose(await valuesOn('wasm', run), await valuesOn('cpu', run), `conv2dTranspose ${label(c)} [d/dy, d/df]`);
  });
});

describe('rerouting rule', () => {
  it('matches exactly where the stock wasm Conv2D and FusedConv2D differ from cpu', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const stock = [tf.Conv2D, tf.FusedConv2D].map((name) => displacedWasmKernel(name)!);
    const mismatches: string[] = [];
    let broken = 0;
    for (let h = 1; h <= 9; h++) {
      for (const [kh, kw] of [[1, 1], [2, 2], [3, 3], [1, 3], [4, 2]] as const) {
        for (let s = 1; s <= 5; s++) {
          const xShape: Shape4 = [1, h, h + 2, 2], fShape: Shape4 = [kh, kw, 2, 3];
          const info = tf.backend_util.computeConv2DInfo(xShape, fShape, s, 1, 'same');
          const attrs = { strides: s, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'linear' };
          const xv = seededValues(size(xShape), h), fv = seededValues(size(fShape), s);
          const ref = (await valuesOn('cpu', () => [tf.conv2d(tf.tensor4d(xv, xShape), tf.tensor4d(fv, fShape), s, 'same')]))[0]!;
          await tf.setBackend('wasm');
          const x = tf.tensor4d(xv, xShape), filter = tf.tensor4d(fv, fShape);
          for (const k of stock) {
            const out = k.kernelFunc({ inputs: { x, filter }, backend, attrs }) as tf.TensorInfo;
            const got = backend.typedArrayFromHeap(out) as Float32Array;
            const wrong = got.some((v, i) => !(Math.abs(v - ref[i]!) <= 1e-4 * (1 + Math.abs(ref[i]!))));
            backend.disposeData(out.dataId);
            if (wrong !== stockSamePadIsWrong(info)) mismatches.push(`${k.kernelName} x[${xShape}] f[${fShape}] s${s}: wrong ${wrong}`);
            if (wrong) broken++;
          }
          tf.dispose([x, filter]);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(broken).toBeGreaterThan(0); // if the stock kernels ever get this right, the wrappers can go
  });

  it('leaves the DCGAN geometries to the stock kernel', () => {
    for (const [x, f] of [[[64, 28, 28, 1], [5, 5, 1, 64]], [[64, 14, 14, 64], [5, 5, 64, 128]], [[64, 7, 7, 128], [5, 5, 128, 64]]]) {
      for (const s of [1, 2]) {
        expect(stockSamePadIsWrong(tf.backend_util.computeConv2DInfo(x as Shape4, f as Shape4, s, 1, 'same'))).toBe(false);
      }
    }
  });

  it('registers the wrappers, keeping the stock kernels retrievable', () => {
    registerWasmConvKernels();
    expect(tf.getKernel(tf.Conv2D, 'wasm')?.kernelFunc).toBe(conv2dConfig.kernelFunc);
    expect(tf.getKernel(tf.FusedConv2D, 'wasm')?.kernelFunc).toBe(fusedConv2dConfig.kernelFunc);
    expect(displacedWasmKernel(tf.Conv2D)?.kernelFunc).not.toBe(conv2dConfig.kernelFunc);
    expect(displacedWasmKernel(tf.FusedConv2D)?.kernelFunc).not.toBe(fusedConv2dConfig.kernelFunc);
  });
});
