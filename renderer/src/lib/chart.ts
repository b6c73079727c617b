/** Geometry for the loss chart: scales, tick values and SVG path data. Pure, so it is tested without a DOM. */
import { strings } from './strings.js';

export type Scale = (value: number) => number;

export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
  const span = d1 - d0;
  if (span === 0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** A step of 1, 2, 2.5 or 5 × 10^k close to `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * Round tick values that cover [min, max] with about `count` intervals; the first and last tick are the
 * domain to draw, so the curves never touch the frame.
 */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = Math.abs(min) * 0.1 || 0.5;
    min -= pad;
    max += pad;
  }
  const step = niceStep((max - min) / Math.max(1, count));
  const first = Math.floor(min / step) * step;
  const last = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  for (let i = 0; first + i * step <= last + step * 1e-9 && i < 100; i++) {
    ticks.push(Number((first + i * step).toPrecision(12)));
  }
  return ticks;
}

/** SVG path data through the points; a non-finite value breaks the line instead of dropping to zero. */
export function linePath(xs: readonly number[], ys: readonly number[], x: Scale, y: Scale): string {
  let path = '';
  let pen = false;
  for (let i = 0; i < xs.length; i++) {
    const xv = xs[i];
    const yv = ys[i];
    if (xv === undefined || yv === undefined || !Number.isFinite(xv) || !Number.isFinite(yv)) {
      pen = false;
      continue;
    }
    path += `${pen ? 'L' : 'M'}${x(xv).toFixed(1)} ${y(yv).toFixed(1)}`;
    pen = true;
  }
  return path;
}

/** Smallest and largest finite value over several series; null when there is none. */
export function extent(...series: readonly (readonly number[])[]): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  for (const values of series) {
    for (const value of values) {
      if (!Number.isFinite(value)) continue;
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  return min === Infinity ? null : [min, max];
}

/** Index of the value in ascending `sorted` closest to `target` (for the hover read-out). */
export function nearestIndex(sorted: readonly number[], target: number): number {
  if (sorted.length === 0) return -1;
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs((sorted[lo - 1] ?? 0) - target) <= Math.abs((sorted[lo] ?? 0) - target)) return lo - 1;
  return lo;
}

/** The decimals a number needs to be written exactly (0.05 → 2, 2.5 → 1, 3 → 0), at most 6. */
function decimalsOf(value: number): number {
  for (let n = 0; n < 6; n++) if (Math.abs(Math.round(value * 10 ** n) - value * 10 ** n) < 1e-6) return n;
  return 6;
}

/**
 * Short tick labels (12_500 → "12.5k"), with as many decimals as the ticks' step needs, so neighbouring
 * ticks never read the same (1.05 and 1.1 are "1.05" and "1.10"). `step` defaults to the value itself.
 */
export function tickLabel(value: number, step = value): string {
  const abs = Math.max(Math.abs(value), Math.abs(step));
  const [unit, suffix] = abs >= 1e6 ? [1e6, strings.format.million] : abs >= 1e3 ? [1e3, strings.format.thousand] : [1, ''];
  if (value === 0) return '0';
  const decimals = decimalsOf(Math.abs(step) / unit || Math.abs(value) / unit);
  return `${(value / unit).toFixed(decimals)}${suffix}`;
}
