import { describe, expect, it } from 'vitest';
import { MICRO_STEP_TARGET_MS, MicroBatchTuner } from '../../../../worker/training/micro-batch.js';

/**
 * The cost shape measured on wasm here for mlp-gan: 1 row ≈ 14.5 ms, 8 rows ≈ 38.5 ms per micro-step, i.e.
 * ≈ 11 ms fixed + 3.4 ms per row. `load` multiplies both, as another busy program on the machine does.
 */
const FIXED_MS = 11.1;
const PER_ROW_MS = 3.43;
const measured = (rows: number, load = 1) => load * (FIXED_MS + PER_ROW_MS * rows);

/** Samples per millisecond of compute at a micro-batch, relative to the no-fixed-cost limit. */
const efficiency = (rows: number) => (PER_ROW_MS * rows) / measured(rows);

function settle(tuner: MicroBatchTuner, cost: (rows: number) => number, steps = 20): number[] {
  const seen: number[] = [];
  for (let i = 0; i < steps; i++) seen.push(tuner.observe(cost(tuner.current)));
  return seen;
}

describe('MicroBatchTuner', () => {
  it('settles on the largest micro-batch that meets the target on the measured shape', () => {
    const tuner = new MicroBatchTuner({ batchSize: 64, min: 1 });
    const seen = settle(tuner, (rows) => measured(rows));
    expect(seen.slice(-5)).toEqual([8, 8, 8, 8, 8]);
    expect(measured(8)).toBeLessThanOrEqual(MICRO_STEP_TARGET_MS);
    expect(measured(16)).toBeGreaterThan(MICRO_STEP_TARGET_MS);
    // It learned the fixed cost (≈ 3.2 rows' worth) from the sizes it tried.
    expect(tuner.learnedFixedRows).toBeCloseTo(FIXED_MS / PER_ROW_MS, 1);
  });

  it('does not fall off the throughput cliff when another program loads the machine', () => {
    const tuner = new MicroBatchTuner({ batchSize: 64, min: 1 });
    settle(tuner, (rows) => measured(rows));
    // 2.5× slower: no size meets 50 ms any more, and small ones would waste most of the machine.
    const loaded = settle(tuner, (rows) => measured(rows, 2.5));
    expect(Math.min(...loaded)).toBeGreaterThanOrEqual(8);
    for (const rows of loaded) expect(efficiency(rows)).toBeGreaterThanOrEqual(2 / 3);
  });

  it('recovers when the load goes away', () => {
    const tuner = new MicroBatchTuner({ batchSize: 64, min: 1 });
    settle(tuner, (rows) => measured(rows, 3));
    expect(tuner.current).toBe(8);
    const idle = settle(tuner, (rows) => measured(rows));
    expect(idle.slice(-3)).toEqual([8, 8, 8]);
    const faster = settle(tuner, (rows) => measured(rows, 0.3)); // a quicker machine than the idle one
    expect(faster.slice(-3)).toEqual([32, 32, 32]); // 0.3 × (11.1 + 3.43 × 32) = 36.3 ms
  });

  it('on a cost proportional to rows, goes as low as the target needs (no fixed cost, no cliff)', () => {
    const tuner = new MicroBatchTuner({ batchSize: 64, min: 1 });
    const seen = settle(tuner, (rows) => rows * 9);
    expect(seen.slice(-5)).toEqual([4, 4, 4, 4, 4]); // 36 ms; 8 rows would take 72
  });

  it('grows only with margin, so noise around the target does not flip the size', () => {
    const tuner = new MicroBatchTuner({ batchSize: 64, min: 1 });
    settle(tuner, (rows) => measured(rows));
    // 16 rows predicted at 45 ms: within the target but not within the growth margin (85 % of 50 ms).
    let flips = 0;
    let previous = tuner.current;
    for (let i = 0; i < 40; i++) {
      const noise = i % 2 === 0 ? 0.9 : 1.1;
      const next = tuner.observe(measured(tuner.current) * noise * 0.55);
      if (next !== previous) flips++;
      previous = next;
    }
    expect(flips).toBeLessThanOrEqual(2);
  });

  it('keeps the model floor, and uses only divisors of an odd-sized batch', () => {
    const floored = new MicroBatchTuner({ batchSize: 64, min: 8 });
    expect(settle(floored, (rows) => rows * 50)).toContain(8);
    expect(Math.min(...settle(floored, (rows) => rows * 50))).toBe(8);
    const odd = new MicroBatchTuner({ batchSize: 50, min: 1 });
    const seen = settle(odd, (rows) => measured(rows));
    expect(seen.slice(-3)).toEqual([10, 10, 10]); // 1, 2, 5, 10, 25, 50: 10 rows take 45.4 ms
  });

  it('ignores a measurement that is not a positive time', () => {
    const tuner = new MicroBatchTuner({ batchSize: 64, min: 1 });
    expect(tuner.observe(Number.NaN)).toBe(64);
    expect(tuner.observe(0)).toBe(64);
  });
});
