import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openConnection } from '../../../../worker/ledger/connection.js';
import { tempDir } from './fixtures.js';

describe('openConnection', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('opens in WAL mode with NORMAL sync, foreign keys on and a busy timeout', () => {
    const db = openConnection(tmp.path('ledger.sqlite'), 1234);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    } finally {
      db.close();
    }
  });

  it('does not create a missing directory (the caller owns the data dir)', () => {
    expect(() => openConnection(tmp.path('missing/ledger.sqlite'))).toThrow(/directory does not exist/);
  });
});
