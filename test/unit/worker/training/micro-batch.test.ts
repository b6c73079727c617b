import { describe, expect, it } from 'vitest';
import { MICRO_STEP_TARGET_MS, nextMicroBatch } from '../../../../worker/training/micro-batch.js';

describe('nextMicroBatch', () => {
  const base = { current: 16, batchSize: 64, min: 1 };

  it('halves while micro-steps run over the target', () => {
    expect(nextMicroBatch({ ...base, meanMs: MICRO_STEP_TARGET_MS + 1 })).toBe(8);
  });

  it('doubles only when a doubled micro-step stays well under the target', () => {
    expect(nextMicroBatch({ ...base, meanMs: 10 })).toBe(32);
    expect(nextMicroBatch({ ...base, meanMs: 20 })).toBe(16); // 40 ms doubled: too close to 50
  });

  it('settles instead of flip-flopping between two sizes', () => {
    // A machine where a micro-step costs 2.8 ms per row: 16 rows take 45 ms, 32 rows 90 ms.
    let current = 64;
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) {
      current = nextMicroBatch({ current, batchSize: 64, min: 1, meanMs: current * 2.8 });
      seen.push(current);
    }
    expect(seen.slice(-6)).toEqual([16, 16, 16, 16, 16, 16]);
  });

  it('never goes below the model floor, never above the batch, and keeps dividing the batch', () => {
    expect(nextMicroBatch({ current: 8, batchSize: 64, min: 8, meanMs: 500 })).toBe(8);
    expect(nextMicroBatch({ current: 64, batchSize: 64, min: 1, meanMs: 1 })).toBe(64);
    expect(nextMicroBatch({ current: 25, batchSize: 50, min: 1, meanMs: 500 })).toBe(25);
    expect(nextMicroBatch({ current: 25, batchSize: 50, min: 1, meanMs: 1 })).toBe(50);
  });
});
