/**
 * The outer step of a round, the same on every peer to the bit: the accepted contributions are averaged in a
 * canonical order (by contribution id), and the committed weights take a Nesterov SGD step against that mean
 * pseudo-gradient. Plain typed-array arithmetic in a fixed order, independent of the training backend, so any
 * machine computes the same float32 bytes and so the same model hash. Pure.
 */
import { createHash } from 'node:crypto';
import type { SparseUpdate } from './compress.js';

export interface Contribution {
  /** Canonical order key, e.g. the hex hash of its payload: the same on every peer. */
  id: string;
  update: SparseUpdate;
}

export interface OuterOptions {
  lr: number;
  momentum: number;
}

/** DiLoCo's outer optimizer: Nesterov SGD, lr 0.7, momentum 0.9. */
export const OUTER_DEFAULTS: OuterOptions = { lr: 0.7, momentum: 0.9 };

/** The mean of the contributions' updates as a dense vector; the order they arrived in does not matter. */
export function aggregate(contributions: readonly Contribution[], size: number): Float32Array {
  const ordered = [...contributions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const sum = new Float64Array(size);
  for (const { id, update } of ordered) {
    if (update.size !== size) throw new RangeError(`contribution ${id} has ${update.size} values, the model ${size}`);
    update.indices.forEach((position, i) => (sum[position]! += update.values[i]!));
  }
  const mean = new Float32Array(size);
  if (ordered.length > 0) for (let i = 0; i < size; i++) mean[i] = sum[i]! / ordered.length;
  return mean;
}

/**
 * θ ← θ − lr·(g + μ·m) with m ← μ·m + g, where g is the mean pseudo-gradient (θ_r − θ_local points downhill).
 * Updates `momentum` in place and returns the new weights.
 */
export function outerStep(theta: Float32Array, gradient: Float32Array, momentum: Float32Array, { lr, momentum: mu }: OuterOptions = OUTER_DEFAULTS): Float32Array {
  if (gradient.length !== theta.length || momentum.length !== theta.length) throw new RangeError('outer step: mismatched lengths');
  const next = new Float32Array(theta.length);
  for (let i = 0; i < theta.length; i++) {
    const m = Math.fround(mu * momentum[i]! + gradient[i]!);
    momentum[i] = m;
    next[i] = theta[i]! - lr * (gradient[i]! + mu * m);
  }
  return next;
}

/**
 * The model hash a commit names: sha256 of the float32 bytes (little-endian, manifest order) of each vector in
 * turn — the weights, then the outer momentum, so a peer that downloads both can check both against the commit.
 */
export function modelHash(...vectors: Float32Array[]): string {
  const hash = createHash('sha256');
  for (const v of vectors) hash.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  return hash.digest('hex');
}
