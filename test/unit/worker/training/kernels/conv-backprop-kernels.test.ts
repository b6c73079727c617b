/**
 * The wasm Conv2DBackpropFilter / Conv2DBackpropInput kernels, called directly,
 * against the stock cpu backend's kernels on identical data.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  conv2dBackpropFilterConfig, conv2dBackpropInputConfig, registerWasmConvKernels,
} from '../../../../../worker/training/kernels/index.js';
import { convOutShape, expectClose, type Pad, seededValues, type Shape4, size, valuesOn } from './helpers.js';

interface Case {
  x: Shape4;
  filter: Shape4;
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** Every kernel size 1–5 × stride 1, 2 × 'same', 'valid', with varied batch, channels and odd/even sizes. */
function gridCases(): Case[] {
  const cases: Case[] = [];
  let i = 0;
  for (let k = 1; k <= 5; k++) {
    for (const s of [1, 2]) {
      for (const pad of ['same', 'valid'] as const) {
        const h = 5 + ((i * 3) % 6); // 5..10: odd and even
        const w = i % 3 === 0 ? h + 1 : h;
        const ci = [1, 3, 4, 8, 16][i % 5]!;
        const co = [1, 2, 5, 8, 16][(i * 2 + 1) % 5]!;
        cases.push({ x: [[1, 2, 3, 4][i % 4]!, h, w, ci], filter: [k, k, ci, co], strides: s, pad });
        i++;
      }
    }
  }
  return cases;
}

const extraCases: Case[] = [
  { x: [2, 9, 8, 3], filter: [3, 5, 3, 4], strides: [2, 1], pad: 'same' },
  { x: [2, 8, 9, 3], filter: [5, 3, 3, 6], strides: [1, 2], pad: 'valid' },
  { x: [3, 7, 7, 2], filter: [3, 3, 2, 5], strides: 2, pad: 1 },
  { x: [2, 8, 8, 2], filter: [4, 4, 2, 3], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { x: [2, 9, 9, 2], filter: [4, 4, 2, 3], strides: 2, pad: 1, dimRoundingMode: 'round' },
  { x: [2, 7, 6, 3], filter: [3, 2, 3, 4], strides: 2, pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { x: [1, 1, 1, 3], filter: [1, 1, 3, 2], strides: 1, pad: 'valid' },
  { x: [4, 6, 6, 8], filter: [1, 1, 8, 4], strides: 1, pad: 'same' },
  { x: [2, 5, 5, 2], filter: [5, 5, 2, 3], strides: 3, pad: 'same' },
  { x: [64, 14, 14, 8], filter: [5, 5, 8, 16], strides: 2, pad: 'same' }, // DCGAN-like 14→7, batch 64
];

function describeCase(c: Case): string {
  const extra = c.dimRoundingMode === undefined ? '' : ` ${c.dimRoundingMode}`;
  return `x[${c.x}] f[${c.filter}] s${JSON.stringify(c.strides)} ${JSON.stringify(c.pad)}${extra}`;
}

function attrsOf(c: Case): Record<string, unknown> {
  const a: Record<string, unknown> = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
  if (c.dimRoundingMode !== undefined) a.dimRoundingMode = c.dimRoundingMode;
  return a;
}

function runFilterKernel(c: Case, xv: Float32Array, dyv: Float32Array, dyShape: Shape4): tf.Tensor[] {
  const x = tf.tensor4d(xv, c.x), dy = tf.tensor4d(dyv, dyShape);
  const out = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { ...attrsOf(c), filterShape: c.filter });
  tf.dispose([x, dy]);
  return [out as tf.Tensor];
}

function runInputKernel(c: Case, dyv: Float32Array, fv: Float32Array, dyShape: Shape4): tf.Tensor[] {
  const dy = tf.tensor4d(dyv, dyShape), filter = tf.tensor4d(fv, c.filter);
  const out = tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, { ...attrsOf(c), inputShape: c.x });
  tf.dispose([dy, filter]);
  return [out as tf.Tensor];
}

beforeAll(async () => {
  registerWasmConvKernels();
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('wasm conv backprop kernels vs cpu', () => {
  const cases = [...gridCases(), ...extraCases];

  it.each(cases.map((c, i) => [describeCase(c), c, i] as const))('%s', async (_name, c, i) => {
    const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad, c.dimRoundingMode);
    const xv = seededValues(size(c.x), 11 + i), dyv = seededValues(size(dyShape), 23 + i);
    const fv = seededValues(size(c.filter), 37 + i);

    const refF = await valuesOn('cpu', () => runFilterKernel(c, xv, dyv, dyShape));
    const gotF = await valuesOn('wasm', () => runFilterKernel(c, xv, dyv, dyShape));
    expectClose(gotF, refF, `filter grad ${describeCase(c)}`);

    const refI = await valuesOn('cpu', () => runInputKernel(c, dyv, fv, dyShape));
    const gotI = await valuesOn('wasm', () => runInputKernel(c, dyv, fv, dyShape));
    expectClose(gotI, refI, `input grad ${describeCase(c)}`);
  });
});

/**
 * No output positions (batch 0, or an output spatial size of 0): the GEMM has an
 * empty inner dimension, so nothing would write the result; cpu gives zeros.
 */
describe('empty dy gives zero gradients', () => {
  const emptyCases: Case[] = [
    { x: [0, 6, 6, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'same' },
    { x: [2, 2, 3, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'valid' }, // dy [2, 0, 1, 4]
    { x: [3, 4, 4, 2], filter: [5, 5, 2, 3], strides: 2, pad: 'valid' }, // dy [3, 0, 0, 3]
    { x: [0, 5, 5, 3], filter: [1, 1, 3, 2], strides: 1, pad: 'valid' }, // the input kernel's 1×1 shortcut
  ];

  /** Fills and frees heap blocks of the result's size first, so uninitialised memory would not read as zeros. */
  const dirtyHeap = async (shape: readonly number[]) => {
    const junk = [1, 2, 3].map(() => tf.fill([Math.max(1, size(shape))], 7));
    await Promise.all(junk.map((t) => t.data()));
    tf.dispose(junk);
  };

  it.each(emptyCases.map((c) => [describeCase(c), c] as const))('%s', async (_name, c) => {
    const dyShape = convOutShape(c.x, c.filter, c.strides, c.pad);
    expect(size(dyShape)).toBe(0);
    const xv = seededValues(size(c.x), 1), fv = seededValues(size(c.filter), 2), dyv = new Float32Array(0);
    for (const [name, run, shape] of [
      ['filter', () => runFilterKernel(c, xv, dyv, dyShape), c.filter],
      ['input', () => runInputKernel(c, dyv, fv, dyShape), c.x],
    ] as const) {
      const ref = await valuesOn('cpu', run);
      await tf.setBackend('wasm');
      await dirtyHeap(shape);
      const got = await valuesOn('wasm', run);
      expect(got[0]!.length, `${name} grad size`).toBe(size(shape));
      expect(Array.from(got[0]!), `${name} grad ${describeCase(c)}`).toEqual(Array.from(ref[0]!));
      expect(got[0]!.every((v) => v === 0), `${name} grad is zeros`).toBe(true);
    }
  });
});

describe('registration and errors', () => {
  it('registers both kernels for wasm, idempotently', () => {
    registerWasmConvKernels();
    registerWasmConvKernels();
    expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')?.kernelFunc).toBe(conv2dBackpropFilterConfig.kernelFunc);
    expect(tf.getKernel(tf.Conv2DBackpropInput, 'wasm')?.kernelFunc).toBe(conv2dBackpropInputConfig.kernelFunc);
  });

  it('rejects NCHW, dilations and non-float32 with clear errors, leaking nothing', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as BackendWasm;
    const x = tf.zeros([1, 4, 4, 2]), dy = tf.zeros([1, 4, 4, 3]), f = tf.zeros([3, 3, 2, 3]);
    const xi = tf.zeros([1, 4, 4, 2], 'int32');
    const before = backend.numDataIds();
    const base = { strides: 1, pad: 'same', filterShape: [3, 3, 2, 3] };
    const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => () =>
      tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap);
    expect(run(tf.Conv2DBackpropFilter, { x, dy }, { ...base, dataFormat: 'NCHW' })).toThrow(/NHWC/);
    expect(run(tf.Conv2DBackpropFilter, { x, dy }, { ...base, dataFormat: 'NHWC', dilations: 2 })).toThrow(/dilations/);
    expect(run(tf.Conv2DBackpropFilter, { x: xi, dy }, { ...base, dataFormat: 'NHWC' })).toThrow(/float32/);
    expect(run(tf.Conv2DBackpropInput, { dy, filter: f }, { strides: 1, pad: 'same', dataFormat: 'NCHW', inputShape: [1, 4, 4, 2] }))
      .toThrow(/NHWC/);
    expect(run(tf.Conv2DBackpropFilter, { x, dy: x }, { ...base, dataFormat: 'NHWC' })).toThrow(/dy shape/);
    expect(run(tf.Conv2DBackpropInput, { dy, filter: f }, { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 4, 4, 5] }))
      .toThrow(/in-channels/);
    expect(backend.numDataIds()).toBe(before);
    tf.dispose([x, dy, f, xi]);
  });
});
