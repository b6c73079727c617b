/** The networks a run can train, built (see catalog.ts for what is known of them without TensorFlow.js). Pure: no Node or DOM imports. */
import * as tf from '@tensorflow/tfjs';
import type { ModelName } from '../../api/contract.js';
import type { GanOptimizers, ModelDefinition } from '../types.js';
import { MODEL_FACTS } from './catalog.js';
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

export const MODEL_ZOO: Record<ModelName, ModelDefinition> = {
  'mlp-gan': {
    ...MODEL_FACTS['mlp-gan'],
    build(shape) {
      const { latentDim } = MODEL_FACTS['mlp-gan'];
      return { generator: mlpGan.buildGenerator(latentDim, shape), discriminator: mlpGan.buildDiscriminator(shape), latentDim };
    },
    createOptimizers: createGanOptimizers,
  },
  'tiny-gan': {
    ...MODEL_FACTS['tiny-gan'],
    build(shape) {
      const { latentDim } = MODEL_FACTS['tiny-gan'];
      return { generator: mlpGan.buildGenerator(latentDim, shape, [128]), discriminator: mlpGan.buildDiscriminator(shape, [64]), latentDim };
    },
    createOptimizers: createGanOptimizers,
  },
  dcgan: {
    ...MODEL_FACTS.dcgan,
    build(shape) {
      const { latentDim } = MODEL_FACTS.dcgan;
      return { generator: dcgan.buildGenerator(latentDim, shape), discriminator: dcgan.buildDiscriminator(shape), latentDim };
    },
    createOptimizers: createGanOptimizers,
  },
};

export function getModel(name: ModelName): ModelDefinition {
  const definition = MODEL_ZOO[name];
  if (!definition) throw new Error(`unknown model ${JSON.stringify(name)}`);
  return definition;
}

