/**
 * Crash safety with a real file: a writer process is killed with SIGKILL at a random moment while it records
 * units, several times over; after each kill the ledger must be intact, hold every unit the writer reported
 * committed, hold only complete units with no gaps, and let the next writer carry on.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkUnit } from '../../../../worker/api/contract.js';
import { openLedger, type Ledger } from '../../../../worker/ledger/ledger.js';
import { tempDir } from '../../../unit/worker/ledger/fixtures.js';
import { expectedUnit } from './fixtures/units.js';
import { startWriter } from './writer-process.js';

const RUN = 'crash-run';
const KILLS = 5;

function allUnits(ledger: Ledger): WorkUnit[] {
  return ledger.workHistory({ limit: Number.MAX_SAFE_INTEGER }).reverse();
}

function danglingSessions(file: string): number {
  const raw = new Database(file, { readonly: true });
  try {
    return raw.prepare<[], number>('SELECT count(*) FROM sessions WHERE ended_at IS NULL').pluck().get()!;
  } finally {
    raw.close();
  }
}

describe('ledger under kill -9', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('keeps every committed unit, complete and gap-free, across repeated kills', async () => {
    const file = tmp.path('ledger.sqlite');
    let recorded = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      const writer = startWriter([file, RUN]);
      // Wait until it is past start-up and in its loop (it has committed a new unit), then strike at random.
      await writer.reach(recorded + 1);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 250));
      expect(await writer.kill9()).toBe('SIGKILL');
      const reported = writer.reported();

      const ledger = openLedger(file);
      try {
        expect(ledger.integrityCheck()).toBe('ok');
        const units = allUnits(ledger);
        // Everything reported is there; at most the one unit committed just before the kill went unreported.
        expect(units.length).toBeGreaterThanOrEqual(reported);
        expect(units.length).toBeLessThanOrEqual(reported + 1);
        expect(units.length).toBeGreaterThan(recorded);
        units.forEach((u, i) => {
          const { sessionId: _, ...fields } = expectedUnit(RUN, i);
          expect(u).toEqual({ id: i + 1, ...fields });
        });
        expect(danglingSessions(file)).toBe(1);
        expect(ledger.closeDanglingSessions(Date.now())).toBe(1);
        recorded = units.length;
      } finally {
        ledger.close();
      }
    }

    // A new writer continues where the last one stopped.
    const ledger = openLedger(file);
    try {
      expect(ledger.lastUnit(RUN)?.id).toBe(recorded);
      expect(ledger.recordWorkUnit(expectedUnit(RUN, recorded - 1))).toBeNull();
      expect(ledger.recordWorkUnit(expectedUnit(RUN, recorded))?.id).toBe(recorded + 1);
      expect(ledger.integrityCheck()).toBe('ok');
    } finally {
      ledger.close();
    }
  }, 120_000);
});
