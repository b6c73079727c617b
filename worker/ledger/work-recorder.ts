/**
 * Records finished work units in the ledger without ever losing one to a write that fails: a full disk (or
 * any other write error) keeps the unit queued in memory, reports the ledger as blocked with a reason,
 * and retries until the write succeeds, in order. The node holds training while the ledger is blocked,
 * so the queue stays a unit or two long; the newest unit is also in the trainer's checkpoint, which
 * replays it after a crash.
 */
import type { WorkUnit } from '../api/contract.js';
import type { Ledger, WorkUnitInput } from './ledger.js';

export type LedgerBlock =
  | { kind: 'disk-full'; freeBytes: number }
  | { kind: 'error'; message: string };

export interface WorkRecorderOptions {
  ledger: Pick<Ledger, 'recordWorkUnit'>;
  /** A unit is in the ledger (not called for a unit the ledger already had). */
  recorded(unit: WorkUnit): void;
  /** The ledger stopped taking writes (with why), or takes them again (null). */
  blocked(block: LedgerBlock | null): void;
  /** Free bytes on the ledger's disk, for the message; may fail. */
  freeBytes(): number;
  retryMs?: number;
}

export interface WorkRecorder {
  record(unit: WorkUnitInput): void;
  readonly pending: number;
  /** Tries the queue once more now; stops the retries. */
  close(): void;
}

/** SQLite's codes for "no room" (the WAL or the database file could not grow). */
const FULL_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR_WRITE']);

export function createWorkRecorder(options: WorkRecorderOptions): WorkRecorder {
  const queue: WorkUnitInput[] = [];
  const retryMs = options.retryMs ?? 5000;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let block: LedgerBlock | null = null;

  const describe = (error: unknown): LedgerBlock => {
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && FULL_CODES.has(code)) {
      let freeBytes = 0;
      try {
        freeBytes = options.freeBytes();
      } catch {
        // the number is for people; a failing probe must not hide the state itself
      }
      return { kind: 'disk-full', freeBytes };
    }
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  };

  const flush = () => {
    timer = null;
    while (queue.length > 0) {
      let unit: WorkUnit | null;
      try {
        unit = options.ledger.recordWorkUnit(queue[0]!);
      } catch (error) {
        const next = describe(error);
        if (block?.kind !== next.kind) options.blocked(next);
        block = next;
        timer = setTimeout(flush, retryMs);
        return;
      }
      queue.shift();
      if (unit) options.recorded(unit);
    }
    if (block) {
      block = null;
      options.blocked(null);
    }
  };

  return {
    record(unit) {
      queue.push(unit);
      if (!timer) flush();
    },
    get pending() {
      return queue.length;
    },
    close() {
      if (timer) clearTimeout(timer);
      if (queue.length > 0) flush();
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
