/**
 * What the scheduler hears of the machine. A node measures for itself what any machine can tell — the load
 * of other programs (all CPU time less this process's own) and the CPU temperature where the OS gives it —
 * and the desktop app reports what only the OS's session knows (idle time, a locked screen, battery, sleep,
 * a full-screen app). A report older than REPORT_FRESH_MS is forgotten, so a desktop app that died does not
 * leave the node believing the user is still away.
 */
import { cpus } from 'node:os';
import type { Signals } from './scheduler.js';

/** The desktop app's part of the signals; a field it cannot tell is left out. */
export interface ReportedSignals {
  idleSeconds?: number;
  screenLocked?: boolean;
  onBattery?: boolean;
  suspended?: boolean;
  fullscreen?: boolean;
}

/** The desktop app reports every 500 ms or so; this long without one and its signals are unknown. */
export const REPORT_FRESH_MS = 5000;

/** CPU time (ms) all cores have spent busy and in all, since boot. */
function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of cpus()) {
    busy += times.user + times.nice + times.sys + times.irq;
    total += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busy, total };
}

/**
 * Samples the share of all cores other programs used since the last sample (0–1): busy time less this
 * process's own (every thread of it, the trainer's included). Null on the first call and on a clock that
 * did not move.
 */
export function createLoadSampler(times: () => { busy: number; total: number } = cpuTimes, own: () => number = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}): () => number | null {
  let last: { busy: number; total: number; own: number } | null = null;
  return () => {
    const now = { ...times(), own: own() };
    const previous = last;
    last = now;
    if (!previous || now.total <= previous.total) return null;
    const others = now.busy - previous.busy - (now.own - previous.own);
    return Math.min(1, Math.max(0, others / (now.total - previous.total)));
  };
}

/** The CPU's temperature (°C) where the OS tells it (systeminformation), else null; never throws. */
export async function readTemperature(): Promise<number | null> {
  try {
    const { cpuTemperature } = await import('systeminformation');
    const { main, max } = await cpuTemperature();
    const value = typeof max === 'number' && max > 0 ? max : main;
    return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

/** The signals now: the desktop app's report while fresh, the node's own measurements, the local clock. */
export function currentSignals(report: { at: number; signals: ReportedSignals } | null, measured: { otherLoad: number | null; temperatureC: number | null }, now = new Date()): Signals {
  const fresh = report && now.getTime() - report.at <= REPORT_FRESH_MS ? report.signals : {};
  return {
    now: now.getTime(),
    localDay: now.getDay(),
    localMinute: now.getHours() * 60 + now.getMinutes(),
    idleSeconds: fresh.idleSeconds ?? null,
    screenLocked: fresh.screenLocked ?? null,
    onBattery: fresh.onBattery ?? null,
    suspended: fresh.suspended ?? false,
    temperatureC: measured.temperatureC,
    otherLoad: measured.otherLoad,
    fullscreen: fresh.fullscreen ?? null,
  };
}
