/**
 * Scoring contributions in the trainer thread: each candidate is the round's base moved by its decoded
 * update (θ_r − Δ, the step its contributor took), judged on a batch of the data it was assigned and on a
 * batch of data it was not; the answer is the loss improvement on each, by name (positive = better). The
 * scorer's networks are its own, so the weights this peer trains stay untouched. Pure tensor work, no I/O.
 */
import type { Assignment, Losses, Task, TaskScorer } from './task.js';

export interface ScoreCandidate {
  /** Positions ascending, as the codec decodes them. */
  indices: Uint32Array;
  values: Float32Array;
  /** The data its contributor was assigned this round, and the step of it to replay. */
  assignment: Assignment;
  step: number;
}

export interface ScoreRequest {
  /** θ_r, the weights every candidate starts from. */
  base: Float32Array;
  candidates: ScoreCandidate[];
  /** Data none of them was assigned, the same for all. */
  random: Assignment;
  rows: number;
  /** Seeds the latent noise, so two scorers of the same round judge alike. */
  seed: string;
}

export interface Improvement {
  assigned: Losses;
  random: Losses;
}

const MAX_ROWS = 1024;

/** What each candidate improves over the base, in order; throws (refusing the whole request) on bad input. */
export function scoreCandidates(task: Task, scorer: TaskScorer, request: ScoreRequest): Improvement[] {
  const { base, candidates, random, rows, seed } = request;
  const size = task.manifest.size;
  if (base.length !== size) throw new RangeError(`the base has ${base.length} values, the model ${size}`);
  if (!Number.isInteger(rows) || rows < 1 || rows > MAX_ROWS) throw new RangeError(`rows must be 1..${MAX_ROWS}`);
  for (const [i, c] of candidates.entries()) {
    if (c.indices.length !== c.values.length) throw new RangeError(`candidate ${i}: ${c.indices.length} positions, ${c.values.length} values`);
    if (c.indices.some((position) => position >= size)) throw new RangeError(`candidate ${i}: a position outside the model`);
    if (!Number.isInteger(c.step) || c.step < 0) throw new RangeError(`candidate ${i}: the step must be a whole number ≥ 0`);
  }
  scorer.setBase(base);
  const improvement = (candidate: Float32Array, batch: ReturnType<Task['batch']>, noise: string, before = scorer.losses(null, batch, noise)): Losses => {
    const after = scorer.losses(candidate, batch, noise);
    return Object.fromEntries(Object.keys(before).map((name) => [name, before[name]! - after[name]!]));
  };
  const randomBatch = task.batchOf(random, 0, rows);
  try {
    // The base's losses on the shared random batch are the same for every candidate: measured once.
    const randomBefore = scorer.losses(null, randomBatch, `${seed}/random`);
    return candidates.map((c, i) => {
      const candidate = Float32Array.from(base);
      c.indices.forEach((position, j) => (candidate[position]! -= c.values[j]!));
      const assignedBatch = task.batchOf(c.assignment, c.step, rows);
      try {
        return { assigned: improvement(candidate, assignedBatch, `${seed}/${i}/assigned`), random: improvement(candidate, randomBatch, `${seed}/random`, randomBefore) };
      } finally {
        assignedBatch.dispose();
      }
    });
  } finally {
    randomBatch.dispose();
  }
}
