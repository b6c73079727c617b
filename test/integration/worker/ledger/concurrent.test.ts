/**
 * Two processes on one fresh ledger file at once (say, the app and a stray headless node): both must get
 * through the first-open migration and interleave their writes, waiting on each other's locks instead of
 * failing with SQLITE_BUSY.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLedger } from '../../../../worker/ledger/ledger.js';
import { schemaVersion } from '../../../../worker/ledger/migrate.js';
import { LEDGER_SCHEMA_VERSION } from '../../../../worker/ledger/migrations/index.js';
import { openConnection } from '../../../../worker/ledger/connection.js';
import { tempDir } from '../../../unit/worker/ledger/fixtures.js';
import { STEPS_PER_UNIT } from './fixtures/units.js';
import { startWriter, type Writer } from './writer-process.js';

describe('two writers on one ledger', () => {
  let tmp: ReturnType<typeof tempDir>;
  let writers: Writer[] = [];
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    await Promise.all(writers.map((w) => w.kill9()));
    writers = [];
    tmp.remove();
  });

  it('both migrate the fresh file once and record their units', async () => {
    const file = tmp.path('ledger.sqlite');
    writers = [startWriter([file, 'run-a']), startWriter([file, 'run-b'])];
    await Promise.all(writers.map((w) => w.reach(200)));
    await Promise.all(writers.map((w) => w.kill9()));

    const raw = openConnection(file);
    expect(schemaVersion(raw)).toBe(LEDGER_SCHEMA_VERSION);
    raw.close();
    const ledger = openLedger(file);
    try {
      expect(ledger.integrityCheck()).toBe('ok');
      const units = ledger.workHistory({ limit: Number.MAX_SAFE_INTEGER }).reverse();
      for (const [i, runId] of ['run-a', 'run-b'].entries()) {
        const starts = units.filter((u) => u.runId === runId).map((u) => u.stepStart);
        expect(starts.length).toBeGreaterThanOrEqual(writers[i]!.reported());
        expect(starts).toEqual(starts.map((_, n) => n * STEPS_PER_UNIT));
      }
    } finally {
      ledger.close();
    }
  }, 60_000);
});
