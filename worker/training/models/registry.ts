/** The networks a run can train, and which one suits a backend. Pure: no Node or DOM imports. */
import * as tf from '@tensorflow/tfjs';
import type { BackendName, ModelName } from '../../api/contract.js';
import type { GanOptimizers, ModelDefinition } from '../types.js';
import * as dcgan from './dcgan.js';
import * as mlpGan from './mlp-gan.js';

/**
 * Adam as GANs like it: lr 2e-4 and beta1 0.5 (a short momentum memory, since the target keeps moving).
 * Epsilon is fixed rather than left to the backend's default, so every peer takes the same step.
 */
function createGanOptimizers(): GanOptimizers {
  return {
    generator: tf.train.adam(2e-4, 0.5, 0.999, 1e-7),
    discriminator: tf.train.adam(2e-4, 0.5, 0.999, 1e-7),
  };
}

const MLP_LATENT_DIM = 64;
const DCGAN_LATENT_DIM = 100;

export const MODEL_ZOO: Record<ModelName, ModelDefinition> = {
  'mlp-gan': {
    name: 'mlp-gan',
    description: 'Fully connected GAN (≈1.1 M parameters): fast on WebAssembly and plain CPU.',
    latentDim: MLP_LATENT_DIM,
    defaultBatchSize: 64,
    minMicroBatch: 1,
    build(shape) {
      return {
        generator: mlpGan.buildGenerator(MLP_LATENT_DIM, shape),
        discriminator: mlpGan.buildDiscriminator(shape),
        latentDim: MLP_LATENT_DIM,
      };
    },
    createOptimizers: createGanOptimizers,
  },
  dcgan: {
    name: 'dcgan',
    description: 'Small convolutional GAN (≈1.1 M parameters): sharper images, wants a native backend.',
    latentDim: DCGAN_LATENT_DIM,
    defaultBatchSize: 64,
    minMicroBatch: 8,
    build(shape) {
      return {
        generator: dcgan.buildGenerator(DCGAN_LATENT_DIM, shape),
        discriminator: dcgan.buildDiscriminator(shape),
        latentDim: DCGAN_LATENT_DIM,
      };
    },
    createOptimizers: createGanOptimizers,
  },
};

export function getModel(name: ModelName): ModelDefinition {
  const definition = MODEL_ZOO[name];
  if (!definition) throw new Error(`unknown model ${JSON.stringify(name)}`);
  return definition;
}

/** Convolutions are only fast on the native backends; elsewhere the dense network trains many times faster. */
export function defaultModelFor(backend: BackendName): ModelName {
  return backend === 'node' || backend === 'node-gpu' ? 'dcgan' : 'mlp-gan';
}
