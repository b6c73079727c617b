/** Reconnect delays: exponential, capped, with jitter so that many tabs do not hammer a restarting node in step. */

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay randomised either way, 0..1. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 5_000, factor: 2, jitter: 0.2 };

/** Delay before retry number `attempt` (0 = the first retry after a drop). `random` returns [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt, 30));
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** exponent);
  const spread = base * options.jitter;
  const delay = base - spread + 2 * spread * random();
  return Math.round(Math.max(0, Math.min(options.maxMs, delay)));
}
