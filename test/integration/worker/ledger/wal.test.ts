/**
 * The WAL must be checkpointed back into the database as units are recorded. A write statement that is never
 * stepped to completion (better-sqlite3's `.get()` on `INSERT ... RETURNING`) silently skips SQLite's
 * auto-checkpoint, and the WAL then grows by every page ever written — tens of MB per few thousand units, all
 * replayed on the next open.
 */
import { statSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLedger } from '../../../../worker/ledger/ledger.js';
import { tempDir } from '../../../unit/worker/ledger/fixtures.js';
import { expectedUnit } from './fixtures/units.js';

const MiB = 1024 * 1024;

describe('ledger WAL', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('stays bounded while units are recorded one transaction each', () => {
    const file = tmp.path('ledger.sqlite');
    const ledger = openLedger(file);
    try {
      const sessionId = ledger.startSession({ runId: 'r', model: 'dcgan', dataset: 'mnist', backend: 'cpu', nodeId: 'n' });
      // About 18 KiB of WAL per unit: 3,000 units pass SQLite's 1,000-page auto-checkpoint many times over.
      for (let n = 0; n < 3_000; n++) ledger.recordWorkUnit(expectedUnit('r', n, sessionId));
      expect(statSync(`${file}-wal`).size).toBeLessThan(6 * MiB);
      expect(statSync(file).size).toBeGreaterThan(64 * 1024); // pages made it into the database itself
    } finally {
      ledger.close();
    }
  });
});
