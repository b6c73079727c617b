/**
 * How many rows a micro-step takes. A pause waits for the micro-step in flight, so micro-steps should stay
 * short; but each has a fixed cost, so they should be as large as that allows. Pure.
 */

/**
 * How long a micro-step should take on average: this bounds pause latency on any model, batch and machine.
 */
export const MICRO_STEP_TARGET_MS = 50;

export interface MicroBatchInputs {
  current: number;
  batchSize: number;
  /** The model's floor (batch statistics need rows). */
  min: number;
  /** Mean duration of the last step's micro-steps. */
  meanMs: number;
  targetMs?: number;
}

/**
 * Halves the micro-batch while micro-steps run longer than the target on average, and doubles it when a
 * doubled one would still stay well under it (the gap between the two keeps it from flip-flopping). The mean,
 * not the slowest, so that one garbage collection does not shrink the micro-batch for good.
 */
export function nextMicroBatch({ current, batchSize, min, meanMs, targetMs = MICRO_STEP_TARGET_MS }: MicroBatchInputs): number {
  const half = current / 2;
  if (meanMs > targetMs && Number.isInteger(half) && half >= min) return half;
  if (meanMs * 2 < targetMs * 0.7 && batchSize % (current * 2) === 0) return current * 2;
  return current;
}
