/**
 * The Fréchet distance against closed forms that do not share its algorithm: 1-D and diagonal Gaussians,
 * covariances with a common eigenbasis, the 2 × 2 trace identity for non-commuting ones; and the Jacobi
 * eigen routine and matrix square root it rests on.
 */
import { describe, expect, it } from 'vitest';
import { gaussianArray, seededPrng } from '../../../../worker/training/data/prng.js';
import { featureStats, frechetDistance, symmetricEigen, symmetricSqrt, type Stats } from '../../../../worker/training/frechet.js';

const gaussians = (count: number, seed: string) => Float64Array.from(gaussianArray(seededPrng(seed), count));

/** G·Gᵀ/d + floor·I for a seeded Gaussian G: symmetric positive definite, condition number in the hundreds. */
function randomSpd(d: number, seed: string, floor = 0.05): Float64Array {
  const g = gaussians(d * d, seed);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += g[i * d + k]! * g[j * d + k]!;
      out[i * d + j] = sum / d + (i === j ? floor : 0);
    }
  }
  return out;
}

/** A random orthogonal matrix (columns from modified Gram–Schmidt of a Gaussian matrix). */
function randomOrthogonal(d: number, seed: string): Float64Array {
  const q = gaussians(d * d, seed);
  for (let col = 0; col < d; col++) {
    for (let prev = 0; prev < col; prev++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[k * d + col]! * q[k * d + prev]!;
      for (let k = 0; k < d; k++) q[k * d + col]! -= dot * q[k * d + prev]!;
    }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += q[k * d + col]! ** 2;
    for (let k = 0; k < d; k++) q[k * d + col]! /= Math.sqrt(norm);
  }
  return q;
}

/** Q·diag(values)·Qᵀ. */
function withEigenvalues(q: Float64Array, values: ArrayLike<number>, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += q[i * d + k]! * values[k]! * q[j * d + k]!;
      out[i * d + j] = sum;
    }
  }
  return out;
}

function multiply(x: Float64Array, y: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) out[i * d + j]! += x[i * d + k]! * y[k * d + j]!;
  return out;
}

const frobenius = (x: Float64Array) => Math.sqrt(x.reduce((sum, v) => sum + v * v, 0));
const difference = (x: Float64Array, y: Float64Array) => x.map((v, i) => v - y[i]!);
const stats = (mean: number[] | Float64Array, cov: number[] | Float64Array): Stats => ({
  mean: Float64Array.from(mean),
  cov: Float64Array.from(cov),
  d: mean.length,
});
const diagonal = (values: number[]) => {
  const d = values.length;
  const out = new Float64Array(d * d);
  values.forEach((v, i) => (out[i * d + i] = v));
  return out;
};

describe('frechetDistance', () => {
  it('of 1-D Gaussians is (μ1 − μ2)² + (σ1 − σ2)²', () => {
    for (const [m1, s1, m2, s2] of [[0, 1, 0, 1], [0, 1, 3, 1], [1.5, 0.2, -2, 3], [0, 4, 0, 0.5], [7, 0, 7, 2]] as const) {
      const expected = (m1 - m2) ** 2 + (s1 - s2) ** 2;
      expect(frechetDistance(stats([m1], [s1 * s1]), stats([m2], [s2 * s2]))).toBeCloseTo(expected, 12);
    }
  });

  it('of diagonal covariances is |Δμ|² + Σ (√a_i − √b_i)²', () => {
    const a = [4, 1, 0.25, 9, 0];
    const b = [1, 1, 2.25, 0.01, 3];
    const mean1 = [0, 1, 2, 3, 4];
    const mean2 = [1, 1, 0, 3, -1];
    const expected =
      mean1.reduce((sum, m, i) => sum + (m - mean2[i]!) ** 2, 0) + a.reduce((sum, v, i) => sum + (Math.sqrt(v) - Math.sqrt(b[i]!)) ** 2, 0);
    expect(frechetDistance(stats(mean1, diagonal(a)), stats(mean2, diagonal(b)))).toBeCloseTo(expected, 12);
  });

  it('of covariances with a common (rotated) eigenbasis is Σ (√λa − √λb)²', () => {
    const d = 24;
    const q = randomOrthogonal(d, 'basis');
    const la = Array.from({ length: d }, (_, i) => 0.1 + i);
    const lb = Array.from({ length: d }, (_, i) => 0.05 + ((i * 7) % d) / 3);
    const expected = la.reduce((sum, v, i) => sum + (Math.sqrt(v) - Math.sqrt(lb[i]!)) ** 2, 0);
    const zero = new Float64Array(d);
    expect(frechetDistance(stats(zero, withEigenvalues(q, la, d)), stats(zero, withEigenvalues(q, lb, d)))).toBeCloseTo(expected, 8);
  });

  it('of non-commuting 2 × 2 covariances matches Tr √M = √(Tr(ΣaΣb) + 2√(det Σa · det Σb))', () => {
    const a = Float64Array.of(2, 0.8, 0.8, 1);
    const b = Float64Array.of(0.5, -0.3, -0.3, 3);
    const traceProduct = a[0]! * b[0]! + a[1]! * b[2]! + a[2]! * b[1]! + a[3]! * b[3]!;
    const det = (m: Float64Array) => m[0]! * m[3]! - m[1]! * m[2]!;
    const crossTrace = Math.sqrt(traceProduct + 2 * Math.sqrt(det(a) * det(b)));
    const expected = (1 - -2) ** 2 + (0.5 - 0.25) ** 2 + a[0]! + a[3]! + b[0]! + b[3]! - 2 * crossTrace;
    expect(frechetDistance(stats([1, 0.5], a), stats([-2, 0.25], b))).toBeCloseTo(expected, 12);
  });

  it('is 0 within 1e-9 for identical statistics, including rank-deficient ones', () => {
    for (const d of [1, 16, 64]) {
      const s = stats(gaussians(d, `mean ${d}`), randomSpd(d, `cov ${d}`));
      expect(frechetDistance(s, s)).toBeLessThan(1e-9);
      expect(frechetDistance(s, stats(s.mean, s.cov))).toBeLessThan(1e-9);
    }
    // Rank 3 of 8, with exactly constant features: what a classifier's dead units or a blank image border give.
    const rows = gaussians(50 * 3, 'low rank');
    const features = new Float64Array(50 * 8);
    for (let r = 0; r < 50; r++) {
      for (let j = 0; j < 8; j++) features[r * 8 + j] = j < 3 ? rows[r * 3 + j]! : j < 6 ? rows[r * 3 + j - 3]! + rows[r * 3 + 1]! : 1;
    }
    const lowRank = featureStats(features, 50, 8);
    const distance = frechetDistance(lowRank, lowRank);
    expect(Number.isFinite(distance)).toBe(true);
    expect(distance).toBeLessThan(1e-6);
  });

  it('is symmetric, positive and grows with a shifted mean', () => {
    const d = 32;
    const a = stats(gaussians(d, 'ma'), randomSpd(d, 'ca'));
    const b = stats(gaussians(d, 'mb'), randomSpd(d, 'cb', 0.5));
    const ab = frechetDistance(a, b);
    expect(ab).toBeGreaterThan(0);
    expect(frechetDistance(b, a)).toBeCloseTo(ab, 9);
    const shifted = stats(a.mean.map((m) => m + 1), a.cov);
    expect(frechetDistance(a, shifted)).toBeCloseTo(d, 8); // same covariance: only |Δμ|² = d·1² remains
  });

  it('rejects statistics of different dimensions', () => {
    expect(() => frechetDistance(stats([0, 0], diagonal([1, 1])), stats([0], [1]))).toThrow(RangeError);
  });
});

describe('featureStats', () => {
  it('computes the mean and the unbiased covariance', () => {
    // Rows (1, 2), (3, 6), (5, 4): mean (3, 4); deviations (−2, −2), (0, 2), (2, 0).
    const { mean, cov, d } = featureStats(Float32Array.of(1, 2, 3, 6, 5, 4), 3, 2);
    expect(d).toBe(2);
    expect([...mean]).toEqual([3, 4]);
    expect([...cov]).toEqual([4, 2, 2, 4]); // Σ dev_i dev_j / (n − 1): (4 + 0 + 4)/2, (4 + 0 + 0)/2, (4 + 4 + 0)/2
  });

  it('refuses fewer than two rows or a ragged matrix', () => {
    expect(() => featureStats(Float32Array.of(1, 2), 1, 2)).toThrow(RangeError);
    expect(() => featureStats(Float32Array.of(1, 2, 3), 2, 2)).toThrow(RangeError);
  });
});

describe('symmetricEigen', () => {
  it('finds known eigenvalues, with orthonormal eigenvectors that satisfy A·v = λ·v', () => {
    const d = 40;
    const q = randomOrthogonal(d, 'eigen basis');
    // Spread over eight orders of magnitude, with a repeated value and an exact zero.
    const known = Array.from({ length: d }, (_, i) => (i === 0 ? 0 : i === 1 ? 5 : i === 2 ? 5 : 10 ** (i / 5 - 4)));
    const a = withEigenvalues(q, known, d);
    const { values, vectors } = symmetricEigen(a, d, true);
    const scale = Math.max(...known);
    expect([...values].sort((x, y) => x - y).map((v) => v / scale)).toEqual(
      [...known].sort((x, y) => x - y).map((v) => expect.closeTo(v / scale, 12)),
    );
    for (let k = 0; k < d; k++) {
      for (let i = 0; i < d; i++) {
        let av = 0;
        for (let j = 0; j < d; j++) av += a[i * d + j]! * vectors[j * d + k]!;
        expect((av - values[k]! * vectors[i * d + k]!) / scale).toBeCloseTo(0, 12);
      }
      for (let l = 0; l < d; l++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += vectors[i * d + k]! * vectors[i * d + l]!;
        expect(dot).toBeCloseTo(k === l ? 1 : 0, 12);
      }
    }
  });

  it('leaves its input alone and returns the diagonal of a diagonal matrix', () => {
    const x = diagonal([3, -1, 2]);
    const copy = Float64Array.from(x);
    expect([...symmetricEigen(x, 3, false).values]).toEqual([3, -1, 2]);
    expect(x).toEqual(copy);
  });
});

describe('symmetricSqrt', () => {
  it.each([57, 128])('squares back to a random SPD matrix of d = %i', (d) => {
    const x = randomSpd(d, `sqrt ${d}`);
    const root = symmetricSqrt(x, d);
    expect(frobenius(difference(multiply(root, root, d), x)) / frobenius(x)).toBeLessThan(1e-12);
    // Symmetric, and positive definite like x: its eigenvalues are √ of x's.
    expect(frobenius(difference(root, Float64Array.from({ length: d * d }, (_, i) => root[(i % d) * d + Math.floor(i / d)]!)))).toBe(0);
    expect(Math.min(...symmetricEigen(root, d, false).values)).toBeGreaterThan(0);
  });

  it('clamps the tiny negative eigenvalues rounding leaves on a singular matrix', () => {
    const d = 6;
    const q = randomOrthogonal(d, 'singular');
    const root = symmetricSqrt(withEigenvalues(q, [4, 1, 0, 0, -1e-17, 0], d), d);
    expect(root.every(Number.isFinite)).toBe(true);
    expect(frobenius(difference(root, withEigenvalues(q, [2, 1, 0, 0, 0, 0], d)))).toBeLessThan(1e-7);
  });
});
