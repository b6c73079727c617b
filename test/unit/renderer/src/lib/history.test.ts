import { describe, expect, it } from 'vitest';
import type { ProgressPoint, WorkUnit } from '../../../../../worker/api/contract.js';
import { appendProgress, prependWorkUnit, trimProgress } from '../../../../../renderer/src/lib/history.js';

const point = (step: number): ProgressPoint => ({
  step,
  samplesPerSecond: 100,
  microBatch: 16,
  losses: { discriminator: 0.6, generator: 1.1 },
  time: step * 1000,
});
const unit = (id: number): WorkUnit => ({
  id,
  runId: 'run',
  shard: 0,
  stepStart: 0,
  stepEnd: 10,
  samples: 640,
  seconds: 30,
  losses: { discriminator: 0.6, generator: 1.1 },
  finishedAt: id,
});

describe('progress history', () => {
  it('keeps the newest points up to the cap', () => {
    let points: ProgressPoint[] = [];
    for (let step = 1; step <= 5; step++) points = appendProgress(points, point(step), 3);
    expect(points.map((p) => p.step)).toEqual([3, 4, 5]);
  });

  it('replaces a point for the same step and restarts when the step goes backwards', () => {
    const points = appendProgress([point(1), point(2)], { ...point(2), losses: { discriminator: 0.6, generator: 9 } });
    expect(points.map((p) => p.losses.generator)).toEqual([1.1, 9]);
    expect(appendProgress(points, point(1)).map((p) => p.step)).toEqual([1]);
  });

  it('sorts and trims a fetched history', () => {
    expect(trimProgress([point(3), point(1), point(2)], 2).map((p) => p.step)).toEqual([2, 3]);
  });
});

describe('work units', () => {
  it('puts a new unit first, once, within the cap', () => {
    let units = [unit(2), unit(1)];
    units = prependWorkUnit(units, unit(3), 3);
    units = prependWorkUnit(units, unit(3), 3);
    expect(units.map((u) => u.id)).toEqual([3, 2, 1]);
    expect(prependWorkUnit(units, unit(4), 3).map((u) => u.id)).toEqual([4, 3, 2]);
  });
});
