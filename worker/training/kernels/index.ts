/**
 * Fast convolution-gradient kernels for the tfjs wasm backend in Node.
 *
 * The wasm backend 4.22 has no Conv2DBackpropFilter (conv weight gradients throw)
 * and a slow scalar Conv2DBackpropInput (also conv2dTranspose's forward pass).
 * Both are replaced by im2col/col2im rearrangements in JS around the backend's
 * own XNNPACK GEMM; see conv-common.ts for why that is the fast choice.
 */
// Load the wasm backend (and its stock kernels) first, so its registrations can
// never run after ours and silently put the stock Conv2DBackpropInput back.
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';

export { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
export { conv2dBackpropInputConfig } from './conv2d-backprop-input.js';

/** The kernels ours displaced (the stock wasm Conv2DBackpropInput), kept for benchmarks. */
const displaced = new Map<string, tf.KernelConfig>();

/** Registers (or replaces) both kernels for backend 'wasm'. Safe to call any number of times. */
export function registerWasmConvKernels(): void {
  for (const config of [conv2dBackpropFilterConfig, conv2dBackpropInputConfig]) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing?.kernelFunc === config.kernelFunc) continue;
    if (existing !== undefined) {
      displaced.set(config.kernelName, existing);
      tf.unregisterKernel(config.kernelName, 'wasm');
    }
    // No setupFunc needed: the kernels hold no wasm function handles of their own,
    // so registering before or after tf.setBackend('wasm') works the same.
    tf.registerKernel(config);
  }
}

/**
 * The wasm kernel that `registerWasmConvKernels` replaced for `kernelName`, if any.
 * It is no longer registered, so the engine skips its setupFunc on later
 * tf.setBackend calls: run `setupFunc` on the wasm backend before calling it.
 */
export function displacedWasmKernel(kernelName: string): tf.KernelConfig | undefined {
  return displaced.get(kernelName);
}
