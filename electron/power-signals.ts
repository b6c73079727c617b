/**
 * What the OS tells the desktop app about its user, reported to the node's scheduler: the system idle time
 * (polled every POLL_MS), a locked screen, battery or AC, sleep and wake. An event (lock, suspend, a plug
 * pulled) is reported at once, so the trainer stops within a fraction of a second of the user's return.
 * Electron's powerMonitor comes in as a parameter; tests use a fake.
 */
import type { ApiClient } from '../worker/api/contract.js';

/** At most this long between the user's return and the node hearing of it. */
export const POLL_MS = 500;

export interface PowerMonitorLike {
  getSystemIdleTime(): number;
  isOnBatteryPower(): boolean;
  on(event: 'lock-screen' | 'unlock-screen' | 'suspend' | 'resume' | 'on-ac' | 'on-battery', listener: () => void): unknown;
}

export interface PowerSignals {
  stop(): void;
}

export function startPowerSignals({
  powerMonitor,
  api,
  pollMs = POLL_MS,
  log = () => {},
}: {
  powerMonitor: PowerMonitorLike;
  api: Pick<ApiClient, 'call'>;
  pollMs?: number;
  log?: (line: string) => void;
}): PowerSignals {
  let screenLocked = false;
  let suspended = false;
  let inFlight = false;
  let failing = false;
  let again = false;

  const report = () => {
    // One call at a time; an event during one is sent right after it.
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const signals = { idleSeconds: powerMonitor.getSystemIdleTime(), screenLocked, onBattery: powerMonitor.isOnBatteryPower(), suspended };
    api.call('reportSignals', signals).then(
      () => {
        failing = false;
      },
      (error: Error) => {
        // The worker restarting: said once, not every half second.
        if (!failing) log(`power signals: ${error.message}`);
        failing = true;
      },
    ).finally(() => {
      inFlight = false;
      if (again) {
        again = false;
        report();
      }
    });
  };

  const on = (event: Parameters<PowerMonitorLike['on']>[0], change: () => void) =>
    powerMonitor.on(event, () => {
      change();
      report();
    });
  on('lock-screen', () => (screenLocked = true));
  on('unlock-screen', () => (screenLocked = false));
  on('suspend', () => (suspended = true));
  on('resume', () => (suspended = false));
  on('on-ac', () => {});
  on('on-battery', () => {});
  const timer = setInterval(report, pollMs);
  report();
  return {
    stop: () => clearInterval(timer),
  };
}
