/**
 * One GAN training step, and painting with the generator. Pure functions of models, optimizers and inputs,
 * in the style of the tfjs-examples GAN: every intermediate tensor lives inside `tf.tidy` and is freed when
 * the step ends, and losses leave as plain numbers.
 */
import * as tf from '@tensorflow/tfjs';
import { gaussianArray, seededPrng } from './data/prng.js';
import type { Networks } from './checkpoint.js';
import type { GanModels, GanOptimizers, StepLosses } from './types.js';

/** Latent vectors for one step: one batch to make D's fakes, a fresh one for G's update. */
export interface StepNoise {
  discriminator: tf.Tensor2D;
  generator: tf.Tensor2D;
}

export interface StepOptions {
  /**
   * One-sided label smoothing: D's target for real images is 1 − this (e.g. 0.1), which keeps D from growing
   * over-confident and starving G of gradient. Fakes keep target 0. Default 0.
   */
  labelSmoothing?: number;
}

/**
 * The variables an optimizer may update for `model`, in the model's own order. Adam keeps its moments by
 * position in this list, so the trainer and the checkpoint must both use this function.
 */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}

export interface MicroStepOptions extends StepOptions {
  /**
   * Rows per micro-step (default: the whole batch). Gradients of the micro-batches are averaged before one
   * optimizer update, so the step equals a full-batch step for models without batch statistics; models with
   * batch norm see per-micro-batch statistics ("ghost batch norm").
   */
  microBatch?: number;
}

/**
 * One GAN step as a sequence of micro-steps: it yields after each micro-batch's forward and backward pass,
 * so a caller can hand the machine back between two of them (a pause waits for one micro-step, not a whole
 * step). Returns the step's mean losses.
 *
 * The step is one discriminator update (real → 1, fake → 0) then one generator update (non-saturating: G
 * maximises log D(G(z)), which keeps strong gradients while D is winning). Each update uses only its own
 * network's variables, so D's step never moves G and vice versa.
 *
 * To end a step early, pass `true` to `next()`: during D's micro-batches no update has been applied yet, so
 * the step is dropped and the result is `null` (every weight as it was, batch-norm moving statistics
 * included — they move during forward passes, so they are put back; run the step again later); during G's,
 * D is already updated, so G is updated with the micro-batches it has and the step counts. Either way the
 * weights always correspond to whole steps, which is what a checkpoint needs.
 *
 * Intermediate tensors live in a `tf.tidy` per micro-step; the gradient sums are the only tensors that
 * cross a yield, and they are freed however the sequence ends (finished, ended early, or `return()`).
 * The caller keeps `real` and `noise` alive until it ends.
 */
export function* trainStepMicro(
  models: GanModels,
  optimizers: GanOptimizers,
  real: tf.Tensor4D,
  noise?: StepNoise,
  options: MicroStepOptions = {},
): Generator<void, StepLosses | null, boolean | undefined> {
  const batch = real.shape[0];
  const microBatch = Math.min(options.microBatch ?? batch, batch);
  const smoothing = options.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) throw new RangeError(`label smoothing must be in [0, 1), got ${smoothing}`);
  if (!Number.isInteger(microBatch) || microBatch < 1 || batch % microBatch !== 0) {
    throw new RangeError(`micro-batch ${options.microBatch} must divide the batch of ${batch}`);
  }
  for (const z of noise ? [noise.discriminator, noise.generator] : []) {
    if (z.shape[0] !== batch || z.shape[1] !== models.latentDim) {
      throw new RangeError(`noise of shape [${z.shape}] does not match batch ${batch} × latent ${models.latentDim}`);
    }
  }
  const { generator, discriminator } = models;
  const training = { training: true };
  const owned = noise ? [] : [tf.randomNormal([batch, models.latentDim]), tf.randomNormal([batch, models.latentDim])];
  const zForD = (noise?.discriminator ?? owned[0]) as tf.Tensor2D;
  const zForG = (noise?.generator ?? owned[1]) as tf.Tensor2D;
  const parts = batch / microBatch;
  const rows = <T extends tf.Tensor>(t: T, i: number) => t.slice(i * microBatch, microBatch) as T;
  const accumulator = new GradientSum();
  const statistics = new StatisticsSnapshot([generator, discriminator]);

  try {
    for (let i = 0; i < parts; i++) {
      accumulator.add(trainableVariables(discriminator), () => {
        // Fakes are made outside the gradient function: G's forward pass stays off D's tape.
        const fake = generator.apply(rows(zForD, i), training) as tf.Tensor;
        return () => {
          const realLogits = discriminator.apply(rows(real, i), training) as tf.Tensor;
          const fakeLogits = discriminator.apply(fake, training) as tf.Tensor;
          const realLoss = tf.losses.sigmoidCrossEntropy(tf.fill(realLogits.shape, 1 - smoothing), realLogits);
          const fakeLoss = tf.losses.sigmoidCrossEntropy(tf.zerosLike(fakeLogits), fakeLogits);
          return tf.add(realLoss, fakeLoss) as tf.Scalar;
        };
      });
      if ((yield) === true) {
        statistics.restore();
        return null;
      }
    }
    const dLoss = accumulator.applyMean(optimizers.discriminator, parts);

    for (let i = 0; i < parts; i++) {
      accumulator.add(trainableVariables(generator), () => () => {
        const logits = discriminator.apply(generator.apply(rows(zForG, i), training), training) as tf.Tensor;
        return tf.losses.sigmoidCrossEntropy(tf.onesLike(logits), logits) as tf.Scalar;
      });
      if (i < parts - 1 && (yield) === true) {
        return { discriminator: dLoss, generator: accumulator.applyMean(optimizers.generator, i + 1) };
      }
    }
    const gLoss = accumulator.applyMean(optimizers.generator, parts);
    return { discriminator: dLoss, generator: gLoss };
  } finally {
    accumulator.dispose();
    statistics.dispose();
    tf.dispose(owned);
  }
}

/**
 * Copies of the models' non-trainable weights (batch norm's moving mean and variance), which a training-mode
 * forward pass updates as a side effect. Empty, and free, for models without any.
 */
class StatisticsSnapshot {
  private readonly saved: Array<{ variable: tf.Variable; copy: tf.Tensor }>;

  constructor(models: tf.LayersModel[]) {
    this.saved = models.flatMap((model) =>
      model.nonTrainableWeights.map((weight) => {
        const variable = weight.read() as tf.Variable;
        return { variable, copy: tf.clone(variable) };
      }),
    );
  }

  restore(): void {
    for (const { variable, copy } of this.saved) variable.assign(copy);
  }

  dispose(): void {
    tf.dispose(this.saved.map(({ copy }) => copy));
  }
}

/** The GAN's two networks, each with its optimizer, by the names checkpoints and weight manifests use. */
export function ganNetworks(models: GanModels, optimizers: GanOptimizers): Networks {
  return {
    generator: { model: models.generator, optimizer: optimizers.generator },
    discriminator: { model: models.discriminator, optimizer: optimizers.discriminator },
  };
}

/** One whole GAN step (see `trainStepMicro`), run to completion. */
export function trainStep(
  models: GanModels,
  optimizers: GanOptimizers,
  real: tf.Tensor4D,
  noise?: StepNoise,
  options: MicroStepOptions = {},
): StepLosses {
  const steps = trainStepMicro(models, optimizers, real, noise, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value!; // never null: nothing asked it to end early
  }
}

/**
 * Running sums of gradients over micro-batches, in the variables' own order: Adam matches its moment
 * slots to variables by position, and the checkpoint relies on that order.
 */
class GradientSum {
  private variables: tf.Variable[] = [];
  private sums: tf.Tensor[] = [];
  private loss: tf.Scalar | null = null;

  /**
   * Adds the gradients of the loss built by `prepare()()` w.r.t. `variables`, and the loss itself.
   * `prepare` runs inside the tidy but outside the tape, for work that needs no gradient.
   */
  add(variables: tf.Variable[], prepare: () => () => tf.Scalar): void {
    const next = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(prepare(), variables);
      const ordered = variables.map((v) => grads[v.name]!);
      if (!this.loss) return { loss: value, sums: ordered };
      return { loss: tf.add(this.loss, value), sums: ordered.map((g, i) => tf.add(this.sums[i]!, g)) };
    });
    this.dispose();
    this.variables = variables;
    this.sums = next.sums;
    this.loss = next.loss as tf.Scalar;
  }

  /**
   * One optimizer update with the mean gradient; returns the mean loss and starts a fresh sum. The loss is
   * read here, once per update, because every read is a sync point on GPU backends.
   */
  applyMean(optimizer: tf.Optimizer, parts: number): number {
    const loss = tf.tidy(() => {
      const mean = this.sums.map((sum) => (parts === 1 ? sum : tf.div(sum, parts)));
      optimizer.applyGradients(this.variables.map((v, i) => ({ name: v.name, tensor: mean[i]! })));
      return this.loss!.dataSync()[0]! / parts;
    });
    this.dispose();
    return loss;
  }

  dispose(): void {
    tf.dispose([...this.sums, ...(this.loss ? [this.loss] : [])]);
    this.sums = [];
    this.loss = null;
  }
}

/** Images for `noise` (one row per image) in inference mode, NHWC in [-1, 1]. The caller disposes them. */
export function generateImages(generator: tf.LayersModel, noise: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => generator.apply(noise, { training: false }) as tf.Tensor4D);
}

/**
 * Standard normal latent vectors from a string seed, identical on every backend and machine (tfjs's own
 * seeded ops are not), for steps that must replay exactly and for fixed sample grids.
 */
export function seededNoise(rows: number, latentDim: number, seed: string): tf.Tensor2D {
  return tf.tensor2d(gaussianArray(seededPrng(seed), rows * latentDim), [rows, latentDim]);
}
