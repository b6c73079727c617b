/** Statistics of sparse updates shared by the outer step and the checks: the same arithmetic, the same bits. */
import type { SparseUpdate } from './compress.js';

/** The L2 norm of an update's values, summed in index order in float64. */
export function l2(update: SparseUpdate): number {
  let squares = 0;
  for (const v of update.values) squares += v * v;
  return Math.sqrt(squares);
}

/**
 * The lower median: of an even count, the lower middle value, so one huge update among two cannot set the
 * scale the other is judged by. NaN for no values.
 */
export function lowerMedian(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1]!;
}
