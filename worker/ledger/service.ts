/**
 * The ledger as a node service: opens the SQLite file, closes sessions a killed node left open, records work
 * units through the recorder (which never loses one to a failing write), keeps the all-time totals in memory,
 * and makes the writes whose failure must not stop the node (sessions) log instead of throw.
 */
import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkTotals, WorkUnit } from '../api/contract.js';
import { openLedger, startOfLocalDay, type Ledger, type SessionStart, type WorkUnitInput } from './ledger.js';
import { createWorkRecorder, type LedgerBlock } from './work-recorder.js';

export interface LedgerServiceDeps {
  dataDir: string;
  log: (line: string) => void;
  /** A unit is in the ledger. */
  recorded(unit: WorkUnit): void;
  /** The ledger stopped taking writes (with why), or takes them again (null). */
  blocked(block: LedgerBlock | null): void;
}

export interface LedgerService {
  /** Reads and settings go straight to the ledger. */
  readonly ledger: Ledger;
  record(unit: WorkUnitInput): void;
  readonly allTime: WorkTotals;
  today(): WorkTotals;
  /** The session's id, or null when it could not be written (a full disk): work is still recorded. */
  startSession(session: SessionStart): number | null;
  endSession(id: number | null): void;
  stop(): void;
}

export function startLedgerService({ dataDir, log, recorded, blocked }: LedgerServiceDeps): LedgerService {
  const ledger = openLedger(join(dataDir, 'ledger.sqlite'));

  /** Runs a write whose failure must not stop the node: logged, and undefined. */
  const attempt = <T>(what: string, write: () => T): T | undefined => {
    try {
      return write();
    } catch (error) {
      log(`ledger: ${what} failed: ${(error as Error).message}`);
      return undefined;
    }
  };

  attempt('closing the sessions a killed node left open', () => ledger.closeDanglingSessions(Date.now()));
  // All-time totals scan the whole ledger (≈0.2 s at a million units): read once, then kept up to date here.
  let allTime: WorkTotals = ledger.totals();
  const recorder = createWorkRecorder({
    ledger,
    recorded(unit) {
      allTime = {
        units: allTime.units + 1,
        steps: allTime.steps + (unit.stepEnd - unit.stepStart),
        samples: allTime.samples + unit.samples,
        seconds: allTime.seconds + unit.seconds,
      };
      recorded(unit);
    },
    blocked,
    freeBytes: () => {
      const fs = statfsSync(dataDir);
      return fs.bavail * fs.bsize;
    },
  });

  return {
    ledger,
    record: (unit) => recorder.record(unit),
    get allTime() {
      return allTime;
    },
    today: () => ledger.totals(startOfLocalDay(Date.now())),
    startSession: (session) => attempt('starting the session', () => ledger.startSession(session)) ?? null,
    endSession(id) {
      if (id !== null) attempt('ending the session', () => ledger.endSession(id, Date.now()));
    },
    stop() {
      recorder.close();
      if (recorder.pending > 0) log(`ledger: ${recorder.pending} work unit(s) could not be recorded; the last is kept in the checkpoint`);
      ledger.close();
    },
  };
}
