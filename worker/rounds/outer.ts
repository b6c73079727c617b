/**
 * The outer step of a round, the same on every peer to the bit: the accepted contributions are averaged in a
 * canonical order (by contribution id), and the committed weights take a Nesterov SGD step against that mean
 * pseudo-gradient. Plain typed-array arithmetic in a fixed order, independent of the training backend, so any
 * machine computes the same float32 bytes and so the same model hash. Pure.
 */
import { createHash } from 'node:crypto';
import type { SparseUpdate } from './compress.js';
import { l2, lowerMedian } from './sparse-stats.js';

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

/**
 * How the accepted updates combine (the run's `aggregation`): `mean` averages them as they are;
 * `median-norm` first scales every update whose L2 norm passes the median of theirs down to that median
 * (SparseLoCo's normalisation), so whatever slipped past the checks moves the model no further than a typical
 * honest update does. Norms and scales are float64 in a fixed order: the same bits on every machine.
 */
export type Aggregation = { name: 'mean' } | { name: 'median-norm' };

/** The combined updates as a dense vector; the order they arrived in does not matter. */
export function aggregate(contributions: readonly Contribution[], size: number, aggregation: Aggregation = { name: 'mean' }): Float32Array {
  const ordered = [...contributions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const { id, update } of ordered) {
    if (update.size !== size) throw new RangeError(`contribution ${id} has ${update.size} values, the model ${size}`);
  }
  const scales = aggregation.name === 'median-norm' ? medianNormScales(ordered.map((c) => c.update)) : ordered.map(() => 1);
  const sum = new Float64Array(size);
  ordered.forEach(({ update }, c) => {
    const scale = scales[c]!;
    update.indices.forEach((position, i) => (sum[position]! += scale * update.values[i]!));
  });
  const mean = new Float32Array(size);
  if (ordered.length > 0) for (let i = 0; i < size; i++) mean[i] = sum[i]! / ordered.length;
  return mean;
}

/** Per update: min(1, median norm / its norm); 0 for an update with nothing in it. */
function medianNormScales(updates: readonly SparseUpdate[]): number[] {
  const norms = updates.map(l2);
  const median = norms.length === 0 ? 0 : lowerMedian(norms);
  return norms.map((norm) => (norm === 0 ? 0 : Math.min(1, median / norm)));
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
