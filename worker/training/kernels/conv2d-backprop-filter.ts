/**
 * Conv2DBackpropFilter for the wasm backend (4.22 ships none, so conv weight
 * gradients throw there).
 *
 *   dW[kh, kw, ci, co] = Σ_{b,oh,ow} x[b, oh·sh + kh − top, ow·sw + kw − left, ci] · dy[b, oh, ow, co]
 *
 * As one GEMM: dW[M = KH·KW·CI, CO] = colsT[M, P] · dy[P, CO] with P = B·OH·OW,
 * where colsT is the transposed im2col matrix of x. dW's row-major layout is
 * exactly the [KH, KW, CI, CO] filter layout, so the GEMM output is the result.
 * Both operands are untransposed with batch 1, which routes the product to
 * XNNPACK (see conv-common.ts). The GEMM does exactly the convolution's
 * multiply-adds; the only wasted ones are the padding taps, written as zeros.
 * Measured alternatives: with the natural-layout im2col as XNNPACK's right
 * operand the GEMM was ~2× slower (XNNPACK re-packs its right operand on every
 * call, and that operand would be the big one); a scalar JS loop was ~40× slower.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  assertFloat32, assertShapes, type ConvGradAttrs, type ConvInfo, freeTensor, heapTensor, heapView, matMulOnWasm, nhwcConvInfo,
} from './conv-common.js';

interface FilterAttrs extends ConvGradAttrs {
  filterShape: [number, number, number, number];
}

/**
 * Writes colsT[(kh·KW + kw)·CI + ci][p] for p = (b·OH + oh)·OW + ow.
 * Loop order: per (kh, kw, b, oh) one input row of x (W·CI floats, L1-sized for
 * DCGAN shapes) is read for all ci, while the writes are sequential runs of OW
 * along p. The valid ow range is computed once per row, so the inner loops have
 * no bounds checks; out-of-image taps are written as zeros (the heap buffer is
 * not pre-zeroed, which saves a full pass over the largest buffer).
 */
function im2colTransposed(x: Float32Array, colsT: Float32Array, c: ConvInfo): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW } = c;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = c;
  const top = c.padInfo.top, left = c.padInfo.left;
  const P = B * OH * OW;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      // ow range whose input column iw = ow·sw + kw − left lies inside [0, W).
      const owLo = Math.min(OW, Math.max(0, Math.ceil((left - kw) / sw)));
      const owHi = Math.max(owLo, Math.min(OW, Math.floor((W - 1 - kw + left) / sw) + 1));
      const iw0 = owLo * sw + kw - left;
      const rowBase = (kh * KW + kw) * CI * P;
      for (let b = 0; b < B; b++) {
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sh + kh - top;
          const p0 = (b * OH + oh) * OW;
          if (ih < 0 || ih >= H) {
            for (let ci = 0; ci < CI; ci++) colsT.fill(0, rowBase + ci * P + p0, rowBase + ci * P + p0 + OW);
            continue;
          }
          const xRow = ((b * H + ih) * W + iw0) * CI;
          const xStep = sw * CI;
          for (let ci = 0; ci < CI; ci++) {
            const dst = rowBase + ci * P + p0;
            for (let ow = 0; ow < owLo; ow++) colsT[dst + ow] = 0;
            let src = xRow + ci;
            for (let ow = owLo; ow < owHi; ow++, src += xStep) colsT[dst + ow] = x[src]!;
            for (let ow = owHi; ow < OW; ow++) colsT[dst + ow] = 0;
          }
        }
      }
    }
  }
}

function conv2dBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = args.backend as BackendWasm;
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const attrs = args.attrs as unknown as FilterAttrs;
  assertFloat32('Conv2DBackpropFilter', x, dy);
  const c = nhwcConvInfo('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
  assertShapes('Conv2DBackpropFilter', c, attrs.filterShape, dy.shape);
  const M = c.filterHeight * c.filterWidth * c.inChannels;
  const P = c.batchSize * c.outHeight * c.outWidth;
  const N = c.outChannels;
  if (P === 0) {
    // No output positions (batch 0 or an empty output): a GEMM with an empty
    // inner dimension writes nothing, so its result would be raw heap memory.
    const zeros = heapTensor(backend, [...attrs.filterShape]);
    heapView(backend, zeros).fill(0);
    return zeros;
  }

  // dy is copied into a temporary so XNNPACK's weight cache is keyed to a tensor
  // we dispose right away (a ~P·CO memcpy, small next to the M·P·CO GEMM).
  const colsT = heapTensor(backend, [M, P]);
  const dyCopy = heapTensor(backend, [P, N]);
  heapView(backend, dyCopy).set(heapView(backend, dy));
  im2colTransposed(heapView(backend, x), heapView(backend, colsT), c);

  const out = matMulOnWasm(backend, colsT, dyCopy, M, P, N);
  freeTensor(backend, colsT);
  freeTensor(backend, dyCopy);
  return { dataId: out.dataId, shape: [...attrs.filterShape], dtype: 'float32' };
}

export const conv2dBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilter,
};
