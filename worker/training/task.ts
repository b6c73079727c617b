/**
 * What the trainer (and, through it, the round machinery) knows of a model: a `Task`. The trainer runs the
 * loop — batches, micro-steps, pauses, checkpoints, work units — and never learns whether it trains a GAN
 * or a language model; a task brings the networks, its data, one training step and an evaluation, with
 * losses by name. Weights leave a task as one flat vector in its manifest's order (see weights.ts).
 * Runs in the trainer thread.
 */
import type { Networks } from './checkpoint.js';
import type { WeightManifest } from './weights.js';

/** Losses by name, e.g. `{ discriminator, generator }` or `{ cross_entropy }`. */
export type Losses = Record<string, number>;

/** One batch of the task's data, held as tensors until disposed. */
export interface TaskBatch {
  readonly rows: number;
  dispose(): void;
}

/**
 * The data a peer trains on: its shard of the dataset and the seed that orders the shard's batches. A round
 * hands out a fresh one; before any, a task trains the shard it was created with, in the run's order.
 */
export interface Assignment {
  shard: number;
  seed: string;
}

/** What the model makes now, for people: the GAN's painting. */
export interface Preview {
  png: Uint8Array;
  width: number;
  height: number;
}

/**
 * Judges candidate weights against a round's base on the task's own networks, kept apart from the training
 * ones (its own copies), so scoring never disturbs the weights a peer trains. A network of a candidate is
 * judged with the base's other networks (the GAN's discriminator against the base generator's images, its
 * generator under the base discriminator), so one network's progress does not count against the other's.
 */
export interface TaskScorer {
  /** The weights candidates are judged against (θ_r). */
  setBase(values: Float32Array): void;
  /** The losses of `candidate` (null: of the base itself) on `batch`, by name; lower is better. */
  losses(candidate: Float32Array | null, batch: TaskBatch, seed: string): Losses;
  dispose(): void;
}

export interface Task {
  /** The losses a step reports, in the order people see them. */
  readonly lossNames: readonly string[];
  /** The networks with their optimizers, by name: what a checkpoint holds. */
  readonly networks: Networks;
  /** The layout of `readWeights()`: every weight of every network, stable names, in order. */
  readonly manifest: WeightManifest;
  /** The smallest micro-batch the networks tolerate (batch statistics need rows). */
  readonly minMicroBatch: number;
  /** Batch number `step` of the current assignment (see `assign`): the same on every machine. */
  batch(step: number, rows: number): TaskBatch;
  /** Batch number `step` of `assignment`, whatever the current one is: what a contributor trained on, replayed. */
  batchOf(assignment: Assignment, step: number, rows: number): TaskBatch;
  /** A scorer with networks of its own (see TaskScorer). */
  createScorer(): TaskScorer;
  /** From now on batches come from this shard, in this seed's order. Throws on a shard out of range. */
  assign(assignment: Assignment): void;
  /**
   * One training step on `batch` as micro-steps of `microBatch` rows, yielding between them; `next(true)`
   * ends it early, after which the weights still match whole steps. Returns the step's losses, or null when
   * the step was dropped (nothing applied: run the same step again).
   */
  trainStep(batch: TaskBatch, microBatch: number): Generator<void, Losses | null, boolean | undefined>;
  /** The losses on `batch`, without training. */
  evaluate(batch: TaskBatch): Losses;
  readWeights(): Float32Array;
  writeWeights(values: Float32Array): void;
  /** Round-0 weights for `seed`, drawn in plain JS: every peer on every backend gets the same bytes. */
  seededWeights(seed: string): Float32Array;
  preview(): Preview | null;
}
