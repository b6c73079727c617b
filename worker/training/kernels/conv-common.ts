/**
 * Shared pieces of the wasm convolution-gradient kernels: geometry, checks, and
 * temporary heap buffers plus a call into the backend's own matmul.
 *
 * Why im2col + matmul: the wasm backend's `BatchMatMul` runs XNNPACK's SIMD GEMM
 * (measured here ≈ 20–30 GFLOP/s single-threaded), while the best hand-ordered
 * scalar JS loop for the same convolution gradient reached ≈ 0.7 GFLOP/s. So
 * the kernels only rearrange data in JS (O(size of the im2col matrix), memory
 * bound) and leave every multiply-add to XNNPACK.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type ConvInfo = tf.backend_util.Conv2DInfo;
type Shape4D = [number, number, number, number];
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** The attributes both backprop kernels receive (plus dilations, which some callers add). */
export interface ConvGradAttrs {
  strides: [number, number] | number;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: [number, number] | number;
}

/**
 * Geometry via tfjs's own `computeConv2DInfo`, so output sizes and the split of
 * 'same' padding (extra row/column at the bottom/right) match the stock ops.
 */
export function nhwcConvInfo(
  kernelName: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvGradAttrs,
): ConvInfo {
  const dataFormat = attrs.dataFormat ?? 'NHWC';
  if (dataFormat !== 'NHWC') {
    throw new Error(`${kernelName} (wasm): only dataFormat 'NHWC' is supported, got '${dataFormat}'.`);
  }
  const d = attrs.dilations ?? 1;
  if (!(typeof d === 'number' ? d === 1 : d[0] === 1 && d[1] === 1)) {
    throw new Error(`${kernelName} (wasm): dilations other than 1 are not supported, got ${String(d)}.`);
  }
  if (xShape.length !== 4 || filterShape.length !== 4) {
    throw new Error(`${kernelName} (wasm): expected rank-4 input and filter, got [${xShape}] and [${filterShape}].`);
  }
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4D, filterShape as Shape4D, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast');
}

/**
 * The kernels index raw heap memory, so a mismatched shape would read or write
 * outside the tensors: check channels and dy against the geometry up front.
 */
export function assertShapes(kernelName: string, c: ConvInfo, filterShape: readonly number[], dyShape: readonly number[]): void {
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
  if (filterShape[2] !== c.inChannels) {
    throw new Error(`${kernelName} (wasm): filter in-channels ${filterShape[2]} ≠ input channels ${c.inChannels}.`);
  }
  if (!same(dyShape, c.outShape)) {
    throw new Error(`${kernelName} (wasm): dy shape [${dyShape}] ≠ expected conv output [${c.outShape}].`);
  }
}

export function assertFloat32(kernelName: string, ...infos: tf.TensorInfo[]): void {
  for (const t of infos) {
    if (t.dtype !== 'float32') throw new Error(`${kernelName} (wasm): only float32 is supported, got ${t.dtype}.`);
  }
}

/** An uninitialised float32 buffer on the wasm heap (caller fills or zeroes it). */
export function heapTensor(backend: BackendWasm, shape: number[]): tf.TensorInfo {
  return backend.makeOutput(shape, 'float32');
}

/**
 * A fresh view of a tensor's heap memory. Any allocation (ours, the matmul's,
 * XNNPACK's scratch) may grow the wasm memory and detach older views, so views
 * are taken only after the allocations of each phase.
 */
export function heapView(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

export function freeTensor(backend: BackendWasm, t: tf.TensorInfo): void {
  backend.disposeData(t.dataId);
}

/**
 * out[M, N] = a[M, K] · b[K, N] using the backend's registered BatchMatMul.
 * Shapes are passed as [1, M, K] / [1, K, N] without transposes: that is the only
 * case the wasm backend sends to XNNPACK (anything else takes its scalar loop).
 * XNNPACK caches its packed-weights operator under b's tensor id until b is
 * disposed, so `b` must be a temporary owned by the caller (freed right after);
 * passing a long-lived tensor as b could leave a stale operator keyed to its id.
 * The result is a new heap tensor owned by the caller.
 */
export function matMulOnWasm(
  backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo, m: number, k: number, n: number,
): tf.TensorInfo {
  const kernel = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (kernel === undefined) throw new Error('wasm backend has no BatchMatMul kernel registered.');
  const out = kernel.kernelFunc({
    inputs: { a: { ...a, shape: [1, m, k] }, b: { ...b, shape: [1, k, n] } },
    backend,
    attrs: { transposeA: false, transposeB: false },
  }) as tf.TensorInfo;
  return out;
}

/**
 * The stock wasm kernels that `registerWasmConvKernels` displaced, by kernel
 * name. Kept here (not in index.ts) because the Conv2D wrappers delegate to them.
 */
const displaced = new Map<string, tf.KernelConfig>();

export function rememberDisplaced(config: tf.KernelConfig): void {
  displaced.set(config.kernelName, config);
}

/**
 * The wasm kernel that `registerWasmConvKernels` replaced for `kernelName`, if any.
 * It is no longer registered, so the engine skips its setupFunc on later
 * tf.setBackend calls: run `setupFunc` on the wasm backend before calling it
 * (the stock Conv2D and FusedConv2D are set up through their wrappers).
 */
export function displacedWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return displaced.get(kernelName);
}
