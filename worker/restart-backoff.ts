/**
 * When to restart something that keeps failing: exponential delays, capped, and back to the first delay once
 * it has run long enough to count as healthy. Shared by Electron's worker supervisor and the node's trainer
 * supervision. Pure apart from reading the clock.
 */
export interface RestartBackoffPolicy {
  initialMs: number;
  maxMs: number;
  /** Running this long before failing starts the backoff over. */
  stableMs: number;
}

export interface RestartBackoff {
  /** Call when the supervised thing (re)starts. */
  started(): void;
  /** Call when it failed: how long to wait before the next start. */
  nextDelay(): number;
}

export function createRestartBackoff(policy: RestartBackoffPolicy): RestartBackoff {
  let failures = 0;
  let startedAt = Date.now();
  return {
    started() {
      startedAt = Date.now();
    },
    nextDelay() {
      if (Date.now() - startedAt >= policy.stableMs) failures = 0;
      const delay = Math.min(policy.initialMs * 2 ** failures, policy.maxMs);
      failures++;
      return delay;
    },
  };
}
