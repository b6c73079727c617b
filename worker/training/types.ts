/** Shapes shared by the training modules. Pure types; the trainer thread and the node both import them. */
import type * as tf from '@tensorflow/tfjs';
import type { DatasetName, ModelName } from '../api/contract.js';

/** An image dataset held in memory: NHWC pixel bytes 0–255, read as floats in [-1, 1] by data/pixels.ts. */
export interface ImageDataset {
  name: DatasetName;
  count: number;
  height: number;
  width: number;
  channels: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

export interface GanModels {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  latentDim: number;
}

export interface GanOptimizers {
  generator: tf.Optimizer;
  discriminator: tf.Optimizer;
}

export interface StepLosses {
  discriminator: number;
  generator: number;
}

export interface ModelDefinition {
  name: ModelName;
  /** One line for people. */
  description: string;
  latentDim: number;
  defaultBatchSize: number;
  /**
   * The smallest micro-batch the trainer may split a batch into: models with batch norm need enough rows
   * for meaningful batch statistics (a single row normalises a dense layer's output to zero).
   */
  minMicroBatch: number;
  /** Builds fresh, randomly initialised networks for images of `shape` = [height, width, channels]. */
  build(shape: readonly [number, number, number]): GanModels;
  createOptimizers(): GanOptimizers;
}
