/**
 * The Fréchet distance between two Gaussians fitted to feature vectors: the distance FID reports, with the
 * features left to the caller (see quality.ts). Pure float64 maths with no tfjs, so the number is the same on
 * every backend and machine; runs wherever it is imported.
 *
 * FD = |μa − μb|² + Tr(Σa) + Tr(Σb) − 2·Tr((Σa^½ Σb Σa^½)^½). The square roots of the symmetric positive
 * semi-definite matrices come from a cyclic Jacobi eigendecomposition: slower than LAPACK's methods, but
 * short, deterministic (a fixed sweep order) and accurate to machine precision, which is what a score that
 * tests compare across runs needs. A d = 128 distance takes well under a second.
 */

/** A Gaussian fitted to `d`-dimensional features. */
export interface Stats {
  mean: Float64Array;
  /** d × d, row-major, symmetric. */
  cov: Float64Array;
  d: number;
}

/** Mean and unbiased (n − 1) covariance of `n` feature rows of `d` floats each, row-major. */
export function featureStats(features: Float32Array | Float64Array, n: number, d: number): Stats {
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`featureStats: need at least 2 rows, got ${n}`);
  if (!Number.isInteger(d) || d < 1 || features.length !== n * d) {
    throw new RangeError(`featureStats: ${features.length} floats are not ${n} rows of ${d}`);
  }
  const mean = new Float64Array(d);
  for (let row = 0; row < n; row++) for (let j = 0; j < d; j++) mean[j]! += features[row * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;

  // Σ over rows of the centred outer product, upper triangle only, then mirrored.
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let row = 0; row < n; row++) {
    for (let j = 0; j < d; j++) centred[j] = features[row * d + j]! - mean[j]!;
    for (let i = 0; i < d; i++) {
      const ci = centred[i]!;
      if (ci === 0) continue;
      for (let j = i; j < d; j++) cov[i * d + j]! += ci * centred[j]!;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const value = cov[i * d + j]! / (n - 1);
      cov[i * d + j] = value;
      cov[j * d + i] = value;
    }
  }
  return { mean, cov, d };
}

/** The Fréchet distance between the Gaussians `a` and `b` (≥ 0; 0 for identical statistics). */
export function frechetDistance(a: Stats, b: Stats): number {
  const { d } = a;
  if (b.d !== d || a.mean.length !== d || b.mean.length !== d || a.cov.length !== d * d || b.cov.length !== d * d) {
    throw new RangeError(`frechetDistance: statistics of ${a.d} and ${b.d} dimensions do not match their arrays`);
  }
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i]! - b.mean[i]!) ** 2;
  let traces = 0;
  for (let i = 0; i < d; i++) traces += a.cov[i * d + i]! + b.cov[i * d + i]!;

  // Tr((Σa^½ Σb Σa^½)^½) is the sum of the square roots of the eigenvalues of M = Σa^½ Σb Σa^½.
  const root = symmetricSqrt(a.cov, d);
  const m = multiply(multiply(root, b.cov, d), root, d);
  symmetrise(m, d);
  const { values } = symmetricEigen(m, d, false);
  let crossTrace = 0;
  for (const value of values) crossTrace += Math.sqrt(Math.max(0, value));

  // Rounding can leave a true 0 a hair below it.
  return Math.max(0, meanTerm + traces - 2 * crossTrace);
}

/**
 * The symmetric PSD square root of the symmetric `d × d` matrix `x`: V·diag(√λ)·Vᵀ, with eigenvalues that
 * rounding (or an almost rank-deficient covariance) pushed slightly below zero clamped to 0.
 */
export function symmetricSqrt(x: Float64Array, d: number): Float64Array {
  const { values, vectors } = symmetricEigen(x, d, true);
  const roots = values.map((value) => Math.sqrt(Math.max(0, value)));
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += vectors[i * d + k]! * roots[k]! * vectors[j * d + k]!;
      out[i * d + j] = sum;
      out[j * d + i] = sum;
    }
  }
  return out;
}

export interface Eigen {
  values: Float64Array;
  /** Column k (row-major d × d) is the unit eigenvector of `values[k]`; empty unless asked for. */
  vectors: Float64Array;
}

/** Enough for any matrix that converges at all: Jacobi converges quadratically, d ≤ 128 needs about 10. */
const MAX_SWEEPS = 60;
/** An off-diagonal entry this small relative to its diagonal pair no longer changes any eigenvalue. */
const NEGLIGIBLE = Number.EPSILON;

/**
 * Eigenvalues (and, if `withVectors`, eigenvectors) of the symmetric `d × d` matrix `x`, by cyclic Jacobi:
 * sweep every pair (p, q) in a fixed order, rotating each off-diagonal entry to zero, until a sweep finds
 * nothing left worth rotating. `x` is not modified.
 */
export function symmetricEigen(x: Float64Array, d: number, withVectors: boolean): Eigen {
  if (x.length !== d * d) throw new RangeError(`symmetricEigen: ${x.length} values are not a ${d}×${d} matrix`);
  const a = Float64Array.from(x);
  const v = withVectors ? identity(d) : new Float64Array(0);
  let scale = 0;
  for (const value of a) scale = Math.max(scale, Math.abs(value));
  // Entries below this are zero for every purpose (and keep denormals out of the rotation formulas).
  const floor = scale * 1e-300;

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q]!;
        const app = a[p * d + p]!;
        const aqq = a[q * d + q]!;
        if (Math.abs(apq) <= floor || Math.abs(apq) <= NEGLIGIBLE * Math.sqrt(Math.abs(app * aqq))) continue;
        rotated = true;
        // The rotation J (c, s) with (Jᵀ A J)[p][q] = 0; t = tan θ, the smaller root, for stability.
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + p]!;
          const akq = a[k * d + q]!;
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[p * d + k]!;
          const aqk = a[q * d + k]!;
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        a[p * d + q] = 0;
        a[q * d + p] = 0;
        if (withVectors) {
          for (let k = 0; k < d; k++) {
            const vkp = v[k * d + p]!;
            const vkq = v[k * d + q]!;
            v[k * d + p] = c * vkp - s * vkq;
            v[k * d + q] = s * vkp + c * vkq;
          }
        }
      }
    }
    if (!rotated) break;
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i]!;
  return { values, vectors: v };
}

function identity(d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) out[i * d + i] = 1;
  return out;
}

/** The product of two `d × d` row-major matrices. */
function multiply(x: Float64Array, y: Float64Array, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const xik = x[i * d + k]!;
      if (xik === 0) continue;
      for (let j = 0; j < d; j++) out[i * d + j]! += xik * y[k * d + j]!;
    }
  }
  return out;
}

/** Averages `m` with its transpose in place: a product of symmetric matrices is symmetric only up to rounding. */
function symmetrise(m: Float64Array, d: number): void {
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      const mean = (m[i * d + j]! + m[j * d + i]!) / 2;
      m[i * d + j] = mean;
      m[j * d + i] = mean;
    }
  }
}
