/**
 * What the node needs to know of each model without building it: its description, latent size, default
 * batch and smallest micro-batch, and which model suits a backend. No TensorFlow.js here: the node process
 * imports this, and only the trainer thread loads TensorFlow.js (about 0.8 s of a node's start).
 */
import type { BackendName, ModelName } from '../../api/contract.js';
import type { ModelDefinition } from '../types.js';

export type ModelFacts = Omit<ModelDefinition, 'build' | 'createOptimizers'>;

export const MODEL_FACTS: Record<ModelName, ModelFacts> = {
  'mlp-gan': {
    name: 'mlp-gan',
    description: 'Fully connected GAN (≈1.1 M parameters): fast on WebAssembly and plain CPU.',
    latentDim: 64,
    defaultBatchSize: 64,
    minMicroBatch: 1,
  },
  'tiny-gan': {
    name: 'tiny-gan',
    description: 'Tiny fully connected GAN (≈0.16 M parameters): for swarms of many peers on one machine (tests, benchmarks).',
    latentDim: 32,
    defaultBatchSize: 16,
    minMicroBatch: 1,
  },
  dcgan: {
    name: 'dcgan',
    description: 'Small convolutional GAN (≈1.1 M parameters): sharper images, wants a native backend.',
    latentDim: 100,
    defaultBatchSize: 64,
    minMicroBatch: 8,
  },
};

export function modelFacts(name: ModelName): ModelFacts {
  const facts = MODEL_FACTS[name];
  if (!facts) throw new Error(`unknown model ${JSON.stringify(name)}`);
  return facts;
}

/** Convolutions are only fast on the native backends; elsewhere the dense network trains many times faster. */
export function defaultModelFor(backend: BackendName): ModelName {
  return backend === 'node' || backend === 'node-gpu' ? 'dcgan' : 'mlp-gan';
}
