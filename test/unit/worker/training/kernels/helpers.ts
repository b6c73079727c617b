/** Shared helpers for the wasm conv-kernel tests: seeded data and cpu-vs-wasm comparison. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

export type Shape4 = [number, number, number, number];
export type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** Deterministic uniform values in [-1, 1) (mulberry32), so failures reproduce. */
export function seededValues(size: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Runs `fn` with `backend` active inside tf.tidy-like disposal and returns the results' values. */
export async function valuesOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = fn();
  const values = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  return values;
}

/** Max |a − b| relative to max |ref| (a relative tolerance robust to tiny elements). */
export function relError(actual: Float32Array, ref: Float32Array): number {
  expect(actual.length).toBe(ref.length);
  let maxDiff = 0, maxRef = 0;
  for (let i = 0; i < ref.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - ref[i]!));
    maxRef = Math.max(maxRef, Math.abs(ref[i]!));
  }
  return maxRef === 0 ? maxDiff : maxDiff / maxRef;
}

export function expectClose(actual: Float32Array[], ref: Float32Array[], label: string, tol = 1e-4): void {
  expect(actual.length).toBe(ref.length);
  ref.forEach((r, i) => {
    const err = relError(actual[i]!, r);
    expect(err, `${label} output ${i}: relative error ${err}`).toBeLessThan(tol);
  });
}

/** Forward conv output size, as tfjs computes it (used to size dy). */
export function convOutShape(x: Shape4, filter: Shape4, stride: number | [number, number], pad: Pad,
  dimRoundingMode?: 'floor' | 'round' | 'ceil'): Shape4 {
  return tf.backend_util.computeConv2DInfo(x, filter, stride, 1, pad, dimRoundingMode).outShape;
}
