/**
 * A model's weights as the network sees them: one flat, ordered float32 vector with a manifest of stable
 * names and shapes, and round-0 values generated from the run's seed in plain JS.
 *
 * tfjs names weights with process-wide counters (`dense_Dense3/kernel`), so a rebuilt model has new names;
 * the manifest names a weight by its model, layer index and role (`generator.0.kernel`), which every peer
 * computes alike. Everything from compression to the commit hash works on the flat vector, so the round
 * machinery never learns what the model is. Initial values come from the seed, not from tfjs's random ops
 * (which differ between backends), so every peer on every backend starts from the same bytes.
 */
import * as tf from '@tensorflow/tfjs';
import { gaussianArray, randomUnit, seededPrng } from './data/prng.js';

export interface TensorSpec {
  name: string;
  shape: number[];
}

/** The layout of a flat weight vector: tensors in order, each `size(shape)` floats long. */
export interface WeightManifest {
  tensors: TensorSpec[];
  /** Total floats. */
  size: number;
}

interface Slot {
  spec: TensorSpec;
  variable: tf.LayerVariable;
  initializer: { className: string; config: Record<string, unknown> };
}

const sizeOf = (shape: readonly number[]) => shape.reduce((product, dim) => product * dim, 1);

/** Keras config keys of the initializer for each weight role a layer can have. */
const INITIALIZER_KEYS: Record<string, string> = {
  kernel: 'kernelInitializer',
  bias: 'biasInitializer',
  gamma: 'gammaInitializer',
  beta: 'betaInitializer',
  moving_mean: 'movingMeanInitializer',
  moving_variance: 'movingVarianceInitializer',
};

/** Every weight of `models` (trainable and not: batch-norm statistics are part of the shared model), in order. */
function slots(models: Record<string, tf.LayersModel>): Slot[] {
  return Object.entries(models).flatMap(([group, model]) =>
    model.layers.flatMap((layer, layerIndex) => {
      const config = layer.getConfig() as Record<string, unknown>;
      return layer.weights.map((variable) => {
        const role = variable.originalName.split('/').at(-1)!;
        const key = INITIALIZER_KEYS[role];
        const initializer = key ? (config[key] as Slot['initializer'] | undefined) : undefined;
        if (!initializer) throw new Error(`${group} layer ${layerIndex}: no known initializer for weight "${role}"`);
        return { spec: { name: `${group}.${layerIndex}.${role}`, shape: [...variable.shape] as number[] }, variable, initializer };
      });
    }),
  );
}

export function manifestOf(models: Record<string, tf.LayersModel>): WeightManifest {
  const tensors = slots(models).map((slot) => slot.spec);
  return { tensors, size: tensors.reduce((total, t) => total + sizeOf(t.shape), 0) };
}

/** Copies every weight of `models` into one new vector, in manifest order. */
export function readWeights(models: Record<string, tf.LayersModel>): Float32Array {
  const all = slots(models);
  const out = new Float32Array(all.reduce((total, slot) => total + sizeOf(slot.spec.shape), 0));
  let offset = 0;
  for (const { variable } of all) {
    const values = variable.read().dataSync() as Float32Array;
    out.set(values, offset);
    offset += values.length;
  }
  return out;
}

/** Sets every weight of `models` from a vector in manifest order (its length must match exactly). */
export function writeWeights(models: Record<string, tf.LayersModel>, values: Float32Array): void {
  const all = slots(models);
  const expected = all.reduce((total, slot) => total + sizeOf(slot.spec.shape), 0);
  if (values.length !== expected) throw new RangeError(`weights: got ${values.length} floats, the model has ${expected}`);
  let offset = 0;
  for (const { spec, variable } of all) {
    const size = sizeOf(spec.shape);
    tf.tidy(() => {
      variable.write(tf.tensor(values.subarray(offset, offset + size), spec.shape, 'float32'));
    });
    offset += size;
  }
}

/** Keras's fans: the last two dims are (in, out); any dims before them are the receptive field. */
function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: shape.at(-2)! * receptive, fanOut: shape.at(-1)! * receptive };
}

/** Standard normal samples redrawn beyond two standard deviations, as Keras's truncated normal. */
function truncatedNormal(next: () => number, count: number): Float32Array {
  const out = new Float32Array(count);
  let filled = 0;
  while (filled < count) {
    for (const z of gaussianArray(next, Math.max(2, count - filled))) {
      if (Math.abs(z) <= 2 && filled < count) out[filled++] = z;
    }
  }
  return out;
}

/** One tensor's initial values under a Keras initializer, from a seeded stream. */
function initialValues({ className, config }: Slot['initializer'], shape: readonly number[], seed: string): Float32Array {
  const size = sizeOf(shape);
  const next = seededPrng(seed);
  switch (className) {
    case 'Zeros':
      return new Float32Array(size);
    case 'Ones':
      return new Float32Array(size).fill(1);
    case 'VarianceScaling': {
      // Glorot and He are this with (scale, mode): variance scale/n, n the fan the mode names.
      const { fanIn, fanOut } = fans(shape);
      const n = { fanIn, fanOut, fanAvg: (fanIn + fanOut) / 2 }[String(config.mode)] ?? Number.NaN;
      const variance = Number(config.scale ?? 1) / Math.max(1, n);
      if (!Number.isFinite(variance)) throw new Error(`VarianceScaling: unknown mode ${String(config.mode)}`);
      if (config.distribution === 'uniform') {
        const limit = Math.sqrt(3 * variance);
        return Float32Array.from({ length: size }, () => (2 * randomUnit(next) - 1) * limit);
      }
      // 0.8796…: the standard deviation of a unit normal truncated at ±2, as Keras corrects for it.
      const stddev = Math.sqrt(variance) / 0.87962566103423978;
      return truncatedNormal(next, size).map((z) => z * stddev);
    }
    case 'RandomNormal': {
      const [mean, stddev] = [Number(config.mean ?? 0), Number(config.stddev ?? 0.05)];
      return gaussianArray(next, size).map((z) => mean + stddev * z);
    }
    default:
      throw new Error(`no seeded version of the ${className} initializer: add one to weights.ts`);
  }
}

/** Round-0 weights of `models` for `seed`: what each layer's initializer would draw, identical everywhere. */
export function seededWeights(models: Record<string, tf.LayersModel>, seed: string): Float32Array {
  const all = slots(models);
  const out = new Float32Array(all.reduce((total, slot) => total + sizeOf(slot.spec.shape), 0));
  let offset = 0;
  for (const { spec, initializer } of all) {
    const values = initialValues(initializer, spec.shape, `${seed}/${spec.name}`);
    out.set(values, offset);
    offset += values.length;
  }
  return out;
}
