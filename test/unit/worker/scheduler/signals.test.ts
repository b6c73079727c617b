import { describe, expect, it } from 'vitest';
import { REPORT_FRESH_MS, createLoadSampler, currentSignals } from '../../../../worker/scheduler/signals.js';

describe('the scheduler signals', () => {
  it("samples other programs' share of the CPU: busy time less this process's own", () => {
    const clock = { busy: 1000, total: 4000, own: 100 };
    const sample = createLoadSampler(() => ({ busy: clock.busy, total: clock.total }), () => clock.own);
    expect(sample()).toBeNull(); // nothing to compare with yet
    // 1,000 ms of 4,000 ms busy, 400 of them ours: others used 15 %.
    Object.assign(clock, { busy: 2000, total: 8000, own: 500 });
    expect(sample()).toBeCloseTo(0.15);
    // All the busy time ours: others 0, never below.
    Object.assign(clock, { busy: 3000, total: 9000, own: 1600 });
    expect(sample()).toBe(0);
    // A clock that did not move says nothing.
    expect(sample()).toBeNull();
  });

  it("uses the desktop app's report only while fresh, and the local clock", () => {
    const at = new Date(2026, 11, 2, 14, 30); // a Wednesday, local time
    const report = { at: at.getTime(), signals: { idleSeconds: 3, onBattery: true, suspended: true } };
    const measured = { otherLoad: 0.2, temperatureC: 71 };
    expect(currentSignals(report, measured, new Date(at.getTime() + REPORT_FRESH_MS))).toMatchObject({
      localDay: 3,
      localMinute: 14 * 60 + 30,
      idleSeconds: 3,
      onBattery: true,
      suspended: true,
      screenLocked: null,
      fullscreen: null,
      otherLoad: 0.2,
      temperatureC: 71,
    });
    expect(currentSignals(report, measured, new Date(at.getTime() + REPORT_FRESH_MS + 1))).toMatchObject({ idleSeconds: null, onBattery: null, suspended: false, otherLoad: 0.2 });
    expect(currentSignals(null, measured, at)).toMatchObject({ idleSeconds: null, suspended: false });
  });
});
