/**
 * A fully connected GAN: the network for machines without a native tfjs backend. Dense layers are matrix
 * products, which the wasm and JavaScript backends run far faster than convolutions, so a home computer
 * without CUDA or libtensorflow still trains at a useful rate. Pure: builds networks, touches nothing else.
 */
import * as tf from '@tensorflow/tfjs';

export type ImageShape = readonly [height: number, width: number, channels: number];

/** Slope of leakyReLU below zero: the usual GAN choice, keeps gradients flowing through D to G. */
const LEAK = 0.2;

/** Hidden layer widths, from the input side; the default model's, or a tiny one's (models/registry.ts). */
export type Widths = readonly number[];

/** Dense layers of `widths`, each followed by leakyReLU; the first takes `inputShape` when given. */
function hidden(widths: Widths, inputShape?: number[]): tf.layers.Layer[] {
  return widths.flatMap((units, i) => [
    tf.layers.dense({ ...(i === 0 && inputShape ? { inputShape } : {}), units }),
    tf.layers.leakyReLU({ alpha: LEAK }),
  ]);
}

/** latent → 256 → 512 → image (by default), tanh output to match pixels in [-1, 1]. */
export function buildGenerator(latentDim: number, shape: ImageShape, widths: Widths = [256, 512]): tf.Sequential {
  const [height, width, channels] = shape;
  return tf.sequential({
    name: 'mlp_generator',
    layers: [
      ...hidden(widths, [latentDim]),
      tf.layers.dense({ units: height * width * channels, activation: 'tanh' }),
      tf.layers.reshape({ targetShape: [height, width, channels] }),
    ],
  });
}

/**
 * image → 512 → 256 (by default) → one logit (no sigmoid: the loss takes logits, which is numerically safer).
 * No dropout: training must be a deterministic function of weights, data and noise so that steps replay.
 */
export function buildDiscriminator(shape: ImageShape, widths: Widths = [512, 256]): tf.Sequential {
  return tf.sequential({
    name: 'mlp_discriminator',
    layers: [tf.layers.flatten({ inputShape: [...shape] }), ...hidden(widths), tf.layers.dense({ units: 1 })],
  });
}
