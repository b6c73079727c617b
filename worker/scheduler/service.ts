/**
 * The scheduler as a running node uses it: decides again every TICK_MS (and at once on a report or a
 * settings change) from the signals of the moment, and tells the node only when the decision changes.
 * Load is sampled each tick; the temperature every TEMPERATURE_EVERY_MS (reading it can cost a process
 * spawn on some systems).
 */
import { decide, type Decision, type SchedulerSettings } from './scheduler.js';
import { createLoadSampler, currentSignals, readTemperature, type ReportedSignals } from './signals.js';

/**
 * The user's return comes as a report and is decided on at once; the tick only follows what changes slowly
 * (other programs' load, the clock for a schedule), so once a second is plenty and costs little while held.
 */
export const TICK_MS = 1000;
const TEMPERATURE_EVERY_MS = 30_000;

export interface SchedulerService {
  decision(): Decision;
  /** The desktop app's signals; an immediate decision follows (the user came back: stop now). */
  report(signals: ReportedSignals): Decision;
  /** The settings changed: decide again now. */
  refresh(): Decision;
  stop(): void;
}

export interface SchedulerServiceOptions {
  settings(): SchedulerSettings;
  changed(decision: Decision): void;
  /** Stand-ins for tests. */
  sampleLoad?: () => number | null;
  temperature?: () => Promise<number | null>;
  now?: () => Date;
  tickMs?: number;
}

const same = (a: Decision, b: Decision) => a.train === b.train && a.intensity === b.intensity && a.reason === b.reason && a.text === b.text;

export function startScheduler(options: SchedulerServiceOptions): SchedulerService {
  const sampleLoad = options.sampleLoad ?? createLoadSampler();
  const temperature = options.temperature ?? readTemperature;
  const now = options.now ?? (() => new Date());
  let report: { at: number; signals: ReportedSignals } | null = null;
  let otherLoad: number | null = null;
  let temperatureC: number | null = null;
  let current = decide(options.settings(), currentSignals(null, { otherLoad, temperatureC }, now()));

  const evaluate = (): Decision => {
    const next = decide(options.settings(), currentSignals(report, { otherLoad, temperatureC }, now()), current);
    if (!same(next, current)) {
      current = next;
      options.changed(next);
    }
    return current;
  };

  const readHeat = () =>
    void temperature().then((value) => {
      temperatureC = value;
    });
  readHeat();
  const ticker = setInterval(() => {
    otherLoad = sampleLoad() ?? otherLoad;
    evaluate();
  }, options.tickMs ?? TICK_MS);
  const heat = setInterval(readHeat, TEMPERATURE_EVERY_MS);
  ticker.unref();
  heat.unref();

  return {
    decision: () => current,
    report(signals) {
      report = { at: now().getTime(), signals };
      return evaluate();
    },
    refresh: evaluate,
    stop() {
      clearInterval(ticker);
      clearInterval(heat);
    },
  };
}
