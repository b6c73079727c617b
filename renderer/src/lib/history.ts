/** Bounded histories the dashboard keeps in memory. Pure; each returns a new array. */
import type { ProgressPoint, WorkUnit } from '../../../worker/api/contract.js';

/** Points kept for the loss chart: enough for ~10 minutes at one point every 1–2 s. */
export const MAX_PROGRESS_POINTS = 400;
/** Rows kept in the recent-work table. */
export const MAX_WORK_UNITS = 50;

/**
 * Adds a progress point. A step that goes backwards means the node restarted from an earlier checkpoint:
 * the old curve no longer continues, so the history starts again.
 */
export function appendProgress(
  points: readonly ProgressPoint[],
  point: ProgressPoint,
  max: number = MAX_PROGRESS_POINTS,
): ProgressPoint[] {
  const last = points.at(-1);
  if (last && point.step < last.step) return [point];
  if (last && point.step === last.step) return [...points.slice(0, -1), point];
  const next = [...points, point];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** The newest `max` points of a history fetched from the node, in step order. */
export function trimProgress(points: readonly ProgressPoint[], max: number = MAX_PROGRESS_POINTS): ProgressPoint[] {
  const sorted = [...points].sort((a, b) => a.step - b.step || a.time - b.time);
  return sorted.length > max ? sorted.slice(sorted.length - max) : sorted;
}

/** Puts a newly recorded unit at the top (newest first), once. */
export function prependWorkUnit(units: readonly WorkUnit[], unit: WorkUnit, max: number = MAX_WORK_UNITS): WorkUnit[] {
  const rest = units.filter((existing) => existing.id !== unit.id);
  return [unit, ...rest].sort((a, b) => b.id - a.id).slice(0, max);
}
