/**
 * A small deep convolutional GAN: better images than the MLP, but convolutions are only fast on the native
 * backends (or on wasm with our conv gradient kernels). Pure: builds networks, touches nothing else.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageShape } from './mlp-gan.js';

const LEAK = 0.2;
const KERNEL = 5;
/** Channels of the coarsest feature map (a quarter of the image side); G ≈ 0.86 M, D ≈ 0.21 M params at 28×28. */
const BASE_FILTERS = 128;
/** Faster than Keras's 0.99, so the moving statistics used to paint samples settle within tens of steps. */
const BN_MOMENTUM = 0.9;

function assertQuarterable(shape: ImageShape): void {
  const [height, width] = shape;
  if (height % 4 !== 0 || width % 4 !== 0) {
    throw new RangeError(`dcgan needs height and width divisible by 4 (two stride-2 stages), got ${height}×${width}`);
  }
}

/**
 * latent → dense to (h/4)×(w/4)×128 → transposed conv ×2 → 64 channels → transposed conv ×2 → image (tanh).
 * Batch norm after the hidden stages (so no biases there) keeps G's early training stable; the output has none.
 */
export function buildGenerator(latentDim: number, shape: ImageShape): tf.Sequential {
  assertQuarterable(shape);
  const [height, width, channels] = shape;
  const coarse: [number, number, number] = [height / 4, width / 4, BASE_FILTERS];
  return tf.sequential({
    name: 'dcgan_generator',
    layers: [
      tf.layers.dense({ inputShape: [latentDim], units: coarse[0] * coarse[1] * coarse[2], useBias: false }),
      tf.layers.batchNormalization({ momentum: BN_MOMENTUM }),
      tf.layers.leakyReLU({ alpha: LEAK }),
      tf.layers.reshape({ targetShape: coarse }),
      tf.layers.conv2dTranspose({ filters: BASE_FILTERS / 2, kernelSize: KERNEL, strides: 2, padding: 'same', useBias: false }),
      tf.layers.batchNormalization({ momentum: BN_MOMENTUM }),
      tf.layers.leakyReLU({ alpha: LEAK }),
      tf.layers.conv2dTranspose({ filters: channels, kernelSize: KERNEL, strides: 2, padding: 'same', activation: 'tanh' }),
    ],
  });
}

/** image → conv ×½ (64) → conv ×½ (128) → one logit. No batch norm in D: it would couple real and fake batches. */
export function buildDiscriminator(shape: ImageShape): tf.Sequential {
  assertQuarterable(shape);
  return tf.sequential({
    name: 'dcgan_discriminator',
    layers: [
      tf.layers.conv2d({ inputShape: [...shape], filters: BASE_FILTERS / 2, kernelSize: KERNEL, strides: 2, padding: 'same' }),
      tf.layers.leakyReLU({ alpha: LEAK }),
      tf.layers.conv2d({ filters: BASE_FILTERS, kernelSize: KERNEL, strides: 2, padding: 'same' }),
      tf.layers.leakyReLU({ alpha: LEAK }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 1 }),
    ],
  });
}
