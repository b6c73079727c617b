/**
 * Conv2D and FusedConv2D for the wasm backend: the stock kernels, except for the
 * 'same'-padding geometries they get wrong. Conv2D is also conv2dTranspose's
 * input gradient; FusedConv2D is what tf.layers.conv2d runs.
 *
 * The stock kernels pass 'same' to XNNPACK as its TensorFlow-SAME flag, and
 * XNNPACK's convolution setup computes each axis's total padding as
 * (out − 1)·stride + k − in (k: the dilated kernel size) in unsigned arithmetic,
 * without TensorFlow's clamp at 0. Where that is negative, i.e.
 * (out − 1)·stride + k < in on either axis (which needs stride > k; e.g. in 8,
 * k 3, stride 4), the padding wraps and the whole output is wrong (zeros).
 * Measured against the cpu backend (sizes 1–16, kernels 1–5, strides 1–6,
 * dilations 1–3), that rule is exact for every kernel but 1×1, which comes out
 * right; 'valid' and numeric or explicit padding are always right.
 *
 * So those calls pass TensorFlow's own split of the padding (from
 * computeConv2DInfo: the clamped total, the smaller half at the top/left) as
 * explicit padding, which XNNPACK uses as given and which yields the same output
 * shape. Every other call reaches the stock kernel unchanged, so the DCGAN
 * shapes keep its speed and its XNNPACK operator cache.
 */
import * as tf from '@tensorflow/tfjs';
import { displacedWasmKernel } from './conv-common.js';

type Shape4D = [number, number, number, number];

/** The stock kernels get this geometry wrong (see above). */
export function stockSamePadIsWrong(c: tf.backend_util.Conv2DInfo): boolean {
  if (c.padInfo.type !== 'SAME' || (c.filterHeight === 1 && c.filterWidth === 1)) return false;
  return (c.outHeight - 1) * c.strideHeight + c.effectiveFilterHeight < c.inHeight ||
    (c.outWidth - 1) * c.strideWidth + c.effectiveFilterWidth < c.inWidth;
}

/** The attrs with 'same' replaced by its explicit equivalent where the stock kernel needs it, else undefined. */
function explicitAttrs(x: tf.TensorInfo, filter: tf.TensorInfo, attrs: tf.NamedAttrMap): tf.NamedAttrMap | undefined {
  // NCHW (which the stock kernels reject anyway) and anything but 'same' go through as they are.
  if (attrs.pad !== 'same' || (attrs.dataFormat ?? 'NHWC') !== 'NHWC') return undefined;
  const strides = attrs.strides as number | [number, number], dilations = (attrs.dilations ?? 1) as number | [number, number];
  const c = tf.backend_util.computeConv2DInfo(x.shape as Shape4D, filter.shape as Shape4D, strides, dilations, 'same');
  if (!stockSamePadIsWrong(c)) return undefined;
  const { top, bottom, left, right } = c.padInfo;
  // dimRoundingMode is dropped: 'same' ignores it, but with explicit padding it
  // would round the clamped axis's fractional (in − k)/stride + 1 (e.g. 'ceil' up).
  const { dimRoundingMode: _ignored, ...rest } = attrs;
  return { ...rest, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] as unknown as tf.NamedAttrMap[string] };
}

function samePadFixed(kernelName: string): tf.KernelConfig {
  const stock = () => {
    const k = displacedWasmKernel(kernelName);
    if (k === undefined) throw new Error(`${kernelName} (wasm): the stock kernel was not registered before ours.`);
    return k;
  };
  return {
    kernelName,
    backendName: 'wasm',
    // The stock kernel binds its wasm function here. Once displaced it is no
    // longer registered, so the engine would skip it when it sets up the backend.
    setupFunc: (backend) => stock().setupFunc?.(backend),
    kernelFunc: (args) => {
      const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const attrs = explicitAttrs(x, filter, args.attrs ?? {});
      return stock().kernelFunc(attrs === undefined ? args : { ...args, attrs });
    },
  };
}

export const conv2dConfig: tf.KernelConfig = samePadFixed(tf.Conv2D);
export const fusedConv2dConfig: tf.KernelConfig = samePadFixed(tf.FusedConv2D);
