/**
 * Conv2DBackpropInput for the wasm backend: conv2d's input gradient and the
 * forward pass of conv2dTranspose. The stock wasm kernel is a scalar direct
 * loop; this one is a GEMM plus a scatter ("col2im"):
 *
 *   dcols[P, M] = dy[P, CO] · Wᵀ[CO, M]      (P = B·OH·OW, M = KH·KW·CI)
 *   dx[b, oh·sh + kh − top, ow·sw + kw − left, ci] += dcols[(b,oh,ow), (kh,kw,ci)]
 *
 * The GEMM does exactly the needed multiply-adds (no zeros inserted between
 * strided outputs, unlike the "dilate dy and convolve" formulation, which wastes
 * sh·sw× the work) and runs on XNNPACK. Only the filter is transposed in JS (it
 * is small) because the backend sends only untransposed products to XNNPACK;
 * dy is used in place as the GEMM's left operand, which XNNPACK does not cache.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  assertFloat32, assertShapes, type ConvGradAttrs, type ConvInfo, freeTensor, heapTensor, heapView, matMulOnWasm, nhwcConvInfo,
} from './conv-common.js';

interface InputAttrs extends ConvGradAttrs {
  inputShape: [number, number, number, number];
}

/** wT[n][m] = w[m][n] for w of shape [M, N]; blocked so both sides stay in cache. */
function transposeInto(w: Float32Array, wT: Float32Array, M: number, N: number): void {
  const BLK = 32;
  for (let m0 = 0; m0 < M; m0 += BLK) {
    const m1 = Math.min(M, m0 + BLK);
    for (let n0 = 0; n0 < N; n0 += BLK) {
      const n1 = Math.min(N, n0 + BLK);
      for (let m = m0; m < m1; m++) {
        for (let n = n0; n < n1; n++) wT[n * M + m] = w[m * N + n]!;
      }
    }
  }
}

/**
 * dx += col2im(dcols). dcols is read once, sequentially; each (kh, kw) tap adds
 * a contiguous run of CI floats into dx, and the valid kw range is computed once
 * per output column so the inner loop has no bounds checks.
 */
function col2imAdd(dcols: Float32Array, dx: Float32Array, c: ConvInfo): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = c;
  const top = c.padInfo.top, left = c.padInfo.left;
  const M = KH * KW * CI;
  let src = 0;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - top;
      const khLo = Math.max(0, -ih0), khHi = Math.min(KH, H - ih0);
      for (let ow = 0; ow < OW; ow++, src += M) {
        const iw0 = ow * sw - left;
        const kwLo = Math.max(0, -iw0), kwHi = Math.min(KW, W - iw0);
        for (let kh = khLo; kh < khHi; kh++) {
          const rowDst = ((b * H + ih0 + kh) * W + iw0) * CI;
          const rowSrc = src + kh * KW * CI;
          for (let kw = kwLo; kw < kwHi; kw++) {
            const d = rowDst + kw * CI, s = rowSrc + kw * CI;
            for (let ci = 0; ci < CI; ci++) dx[d + ci]! += dcols[s + ci]!;
          }
        }
      }
    }
  }
}

function conv2dBackpropInput(args: { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const attrs = args.attrs as unknown as InputAttrs;
  assertFloat32('Conv2DBackpropInput', dy, filter);
  const c = nhwcConvInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
  assertShapes('Conv2DBackpropInput', c, filter.shape, dy.shape);
  const M = c.filterHeight * c.filterWidth * c.inChannels;
  const P = c.batchSize * c.outHeight * c.outWidth;
  const N = c.outChannels;

  const wT = heapTensor(backend, [N, M]);
  transposeInto(heapView(backend, filter), heapView(backend, wT), M, N);
  const dcols = matMulOnWasm(backend, dy, wT, P, N, M);
  freeTensor(backend, wT);
  const identityGeometry = c.filterHeight === 1 && c.filterWidth === 1 && c.strideHeight === 1 && c.strideWidth === 1 &&
    c.padInfo.top === 0 && c.padInfo.left === 0 && c.outHeight === c.inHeight && c.outWidth === c.inWidth;
  if (identityGeometry) {
    // 1×1 kernel, stride 1, no padding: every dx element gets exactly one term.
    return { dataId: dcols.dataId, shape: [...c.inShape], dtype: 'float32' };
  }

  const dx = heapTensor(backend, [...c.inShape]);
  const dxView = heapView(backend, dx); // taken after the last allocation
  dxView.fill(0);
  col2imAdd(heapView(backend, dcols), dxView, c);
  freeTensor(backend, dcols);
  return dx;
}

export const conv2dBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInput,
};
