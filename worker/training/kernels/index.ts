/**
 * Convolution kernels for the tfjs wasm backend in Node.
 *
 * The wasm backend 4.22 has no Conv2DBackpropFilter (conv weight gradients throw)
 * and a slow scalar Conv2DBackpropInput (also conv2dTranspose's forward pass).
 * Both are replaced by im2col/col2im rearrangements in JS around the backend's
 * own XNNPACK GEMM; see conv-common.ts for why that is the fast choice.
 * Its Conv2D and FusedConv2D are wrong for some 'same'-padding geometries; they
 * are wrapped to reroute just those (see conv2d-same-pad.ts).
 */
// Load the wasm backend (and its stock kernels) first, so its registrations can
// never run after ours and silently put the stock kernels back.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { rememberDisplaced } from './conv-common.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { conv2dConfig, fusedConv2dConfig } from './conv2d-same-pad.js';

export { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
export { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
export { conv2dConfig, fusedConv2dConfig, stockSamePadIsWrong } from './conv2d-same-pad.js';

/** Registers (or replaces) all four kernels for backend 'wasm'. Safe to call any number of times. */
export function registerWasmConvKernels(): void {
  for (const config of [conv2dBackpropFilterConfig, conv2dBackpropInputConfig, conv2dConfig, fusedConv2dConfig]) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing !== undefined) {
      rememberDisplaced(existing);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    // The backprop kernels hold no wasm function handles of their own, and the
    // Conv2D wrappers' setupFunc runs the stock one's, so registering before or
    // after tf.setBackend('wasm') works the same.
    tf.registerKernel(config);
  }
}

export { displacedWasmKernel } from './conv-common.js';
