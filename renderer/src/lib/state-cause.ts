/**
 * The words beside the node's state, from the cause it reports (contract/node.ts StateCause) and the
 * catalog: the node's own `reasonText` is its English, for logs and the CLI; the dashboard says it in the
 * catalog's language, with times in the reader's clock.
 */
import type { StateCause } from '../../../worker/api/contract.js';
import { formatBytes } from './network.js';
import { strings } from './strings.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function causeText(cause: StateCause, nowMs: number = Date.now()): string {
  const words = strings.state.causes;
  switch (cause.kind) {
    case 'loading':
      return words.loading;
    case 'running':
      return words.running;
    case 'paused-by-user':
      return words.pausedByUser;
    case 'start-paused':
      return words.startPaused;
    case 'shutdown':
      return words.shutdown;
    case 'failure':
      return words.failure;
    case 'finishing-round':
      return words.finishingRound(cause.round);
    case 'disk-full':
      return cause.neededBytes === null
        ? words.diskFullLedger(formatBytes(cause.freeBytes))
        : words.diskFullCheckpoint(formatBytes(cause.freeBytes), formatBytes(cause.neededBytes));
    case 'ledger-error':
      return words.ledgerError(cause.message);
    case 'schedule':
      if (cause.reason === 'paused-until' && cause.until !== null) {
        const left = cause.until - nowMs;
        if (left >= DAY_MS) return words.pausedForDays(Math.round(left / DAY_MS));
        return words.pausedUntil(new Date(cause.until).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }));
      }
      if (cause.reason === 'paused-until') return words.pausedByUser;
      if (cause.reason === 'hot') return words.hot(cause.temperatureC === null ? null : Math.round(cause.temperatureC));
      return words.schedule[cause.reason];
  }
}
