import { afterEach, describe, expect, it, vi } from 'vitest';
import { startPowerSignals, type PowerMonitorLike } from '../../../electron/power-signals.js';
import { flush } from './fakes.js';

class FakePowerMonitor implements PowerMonitorLike {
  idle = 0;
  battery = false;
  private readonly listeners = new Map<string, Array<() => void>>();
  getSystemIdleTime = () => this.idle;
  isOnBatteryPower = () => this.battery;
  on(event: string, listener: () => void) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
  }
  emit(event: string) {
    for (const listener of this.listeners.get(event) ?? []) listener();
  }
}

describe('power signals', () => {
  afterEach(() => vi.useRealTimers());

  it('polls the idle time every 500 ms and reports lock, battery and sleep at once', async () => {
    vi.useFakeTimers();
    const monitor = new FakePowerMonitor();
    const call = vi.fn(async () => ({}));
    const signals = startPowerSignals({ powerMonitor: monitor, api: { call } as never });
    await flush();
    expect(call).toHaveBeenLastCalledWith('reportSignals', { idleSeconds: 0, screenLocked: false, onBattery: false, suspended: false });

    monitor.idle = 42;
    await vi.advanceTimersByTimeAsync(500);
    expect(call).toHaveBeenLastCalledWith('reportSignals', expect.objectContaining({ idleSeconds: 42 }));

    const calls = call.mock.calls.length;
    monitor.emit('lock-screen');
    await flush();
    expect(call.mock.calls.length).toBe(calls + 1); // at once, not at the next poll
    expect(call).toHaveBeenLastCalledWith('reportSignals', expect.objectContaining({ screenLocked: true }));
    monitor.battery = true;
    monitor.emit('on-battery');
    await flush();
    expect(call).toHaveBeenLastCalledWith('reportSignals', expect.objectContaining({ onBattery: true, screenLocked: true }));
    monitor.emit('suspend');
    await flush();
    expect(call).toHaveBeenLastCalledWith('reportSignals', expect.objectContaining({ suspended: true }));
    monitor.emit('resume');
    monitor.emit('unlock-screen');
    await flush();
    await flush();
    expect(call).toHaveBeenLastCalledWith('reportSignals', expect.objectContaining({ suspended: false, screenLocked: false }));

    signals.stop();
    const stopped = call.mock.calls.length;
    await vi.advanceTimersByTimeAsync(5000);
    expect(call.mock.calls.length).toBe(stopped);
  });

  it('sends one call at a time, and says once that the worker does not answer', async () => {
    vi.useFakeTimers();
    const monitor = new FakePowerMonitor();
    let answer: (() => void) | null = null;
    const call = vi.fn(() => new Promise<void>((_resolve, reject) => (answer = () => reject(new Error('the worker exited')))));
    const logs: string[] = [];
    startPowerSignals({ powerMonitor: monitor, api: { call } as never, log: (line) => logs.push(line) });
    await vi.advanceTimersByTimeAsync(2000);
    expect(call).toHaveBeenCalledTimes(1); // the first call still out: no pile-up
    answer!();
    await flush();
    await vi.advanceTimersByTimeAsync(0);
    answer!();
    await vi.advanceTimersByTimeAsync(1000);
    answer!();
    await flush();
    expect(logs).toEqual(['power signals: the worker exited']);
  });
});
