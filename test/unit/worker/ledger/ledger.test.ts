import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  LedgerInputError,
  startOfLocalDay,
  type WorkUnitInput,
} from '../../../../worker/ledger/ledger.js';
import { SESSION, unit, useTempLedger } from './fixtures.js';

const temp = useTempLedger();

/** Reads the sessions table through a second connection: the ledger's API does not expose it. */
function sessionRows(): { id: number; ended_at: number | null }[] {
  const raw = new Database(temp.file, { readonly: true });
  try {
    return raw.prepare<[], { id: number; ended_at: number | null }>('SELECT id, ended_at FROM sessions').all();
  } finally {
    raw.close();
  }
}

describe('sessions', () => {
  it('starts and ends a session; ending again keeps the first end', () => {
    const id = temp.ledger.startSession(SESSION);
    expect(temp.ledger.startSession(SESSION)).toBe(id + 1);
    temp.ledger.endSession(id, 5_000);
    temp.ledger.endSession(id, 9_000);
    expect(sessionRows()).toEqual([{ id, ended_at: 5_000 }, { id: id + 1, ended_at: null }]);
  });

  it('ends a session at its start when the clock went backwards', () => {
    const id = temp.ledger.startSession({ ...SESSION, startedAt: 10_000 });
    temp.ledger.endSession(id, 4_000);
    expect(sessionRows()).toEqual([{ id, ended_at: 10_000 }]);
  });

  it('rejects an unknown session and bad session fields', () => {
    expect(() => temp.ledger.endSession(99, 1)).toThrow(/no session with id 99/);
    expect(() => temp.ledger.startSession({ ...SESSION, runId: '' })).toThrow(LedgerInputError);
    expect(() => temp.ledger.startSession({ ...SESSION, model: 'gpt' as never })).toThrow(/model must be one of/);
    expect(() => temp.ledger.startSession({ ...SESSION, startedAt: -1 })).toThrow(/startedAt/);
    expect(sessionRows()).toEqual([]);
  });

  it('closes dangling sessions at their last unit, or at their start when they have none', () => {
    const withUnits = temp.ledger.startSession({ ...SESSION, startedAt: 1_000 });
    temp.ledger.recordWorkUnit(unit(0, { sessionId: withUnits }));
    temp.ledger.recordWorkUnit(unit(1, { sessionId: withUnits }));
    const empty = temp.ledger.startSession({ ...SESSION, startedAt: 2_000 });
    const ended = temp.ledger.startSession({ ...SESSION, startedAt: 3_000 });
    temp.ledger.endSession(ended, 4_000);
    const later = temp.ledger.startSession({ ...SESSION, startedAt: 2_000_000 });

    expect(temp.ledger.closeDanglingSessions(1_000_000)).toBe(2);
    expect(temp.ledger.closeDanglingSessions(1_000_000)).toBe(0);
    expect(sessionRows()).toEqual([
      { id: withUnits, ended_at: unit(1).finishedAt },
      { id: empty, ended_at: 2_000 },
      { id: ended, ended_at: 4_000 },
      { id: later, ended_at: null }, // started after `now`: the caller's own session, not a dangling one
    ]);
  });
});

describe('recordWorkUnit', () => {
  it('returns the stored unit, and null for the same unit again without changing anything', () => {
    const sessionId = temp.ledger.startSession(SESSION);
    const { sessionId: _, ...fields } = unit(0, { sessionId });
    expect(temp.ledger.recordWorkUnit(unit(0, { sessionId }))).toEqual({ id: 1, ...fields });
    const before = temp.ledger.totals();

    expect(temp.ledger.recordWorkUnit(unit(0, { sessionId }))).toBeNull();
    // A replay after a crash comes from a new session and may differ; the first record stands.
    expect(temp.ledger.recordWorkUnit(unit(0, { sessionId: null, samples: 1, stepEnd: 99 }))).toBeNull();
    expect(temp.ledger.totals()).toEqual(before);
    expect(temp.ledger.workHistory({ limit: 10 })).toEqual([{ id: 1, ...fields }]);
  });

  it('records the same steps of another run', () => {
    temp.ledger.recordWorkUnit(unit(0));
    expect(temp.ledger.recordWorkUnit(unit(0, { runId: 'run-b' }))?.id).toBe(2);
  });

  it('returns only WorkUnit fields, with its own id, when handed a unit carrying extra keys', () => {
    const replayed = { ...unit(0), id: 77, note: 'from a checkpoint' } as WorkUnitInput;
    const { sessionId: _, ...fields } = unit(0);
    expect(temp.ledger.recordWorkUnit(replayed)).toEqual({ id: 1, ...fields });
  });

  it.each<[string, Partial<WorkUnitInput>, RegExp]>([
    ['empty run id', { runId: '' }, /runId/],
    ['negative shard', { shard: -1 }, /shard must be a non-negative integer/],
    ['fractional step', { stepStart: 1.5 }, /stepStart/],
    ['empty step range', { stepStart: 10, stepEnd: 10 }, /stepEnd must be greater than stepStart/],
    ['negative samples', { samples: -64 }, /samples/],
    ['NaN seconds', { seconds: NaN }, /seconds must be a finite non-negative number/],
    ['negative seconds', { seconds: -1 }, /seconds/],
    ['infinite loss', { losses: { generator: Infinity } }, /losses\.generator must be a finite number/],
    ['NaN loss', { losses: { discriminator: NaN } }, /losses\.discriminator/],
    ['no losses', { losses: {} }, /losses must be 1 to 16 named losses/],
    ['a badly named loss', { losses: { 'Bad Name': 1 } }, /losses must be names like/],
    ['losses that are not an object', { losses: [1] as never }, /losses must be an object of named losses/],
    ['finish time that is not an integer', { finishedAt: 1.5 }, /finishedAt/],
    ['bad session id', { sessionId: 0 }, /sessionId/],
    ['unknown session', { sessionId: 7 }, /no session with id 7/],
  ])('rejects %s with a clear error and stores nothing', (_, bad, message) => {
    expect(() => temp.ledger.recordWorkUnit(unit(0, bad))).toThrow(LedgerInputError);
    expect(() => temp.ledger.recordWorkUnit(unit(0, bad))).toThrow(message);
    expect(temp.ledger.totals().units).toBe(0);
  });

  it('accepts negative losses (some objectives have them)', () => {
    expect(temp.ledger.recordWorkUnit(unit(0, { losses: { critic: -3.5, cross_entropy: 2.25 } }))?.losses).toEqual({ critic: -3.5, cross_entropy: 2.25 });
  });
});

describe('workHistory', () => {
  beforeEach(() => {
    for (let n = 0; n < 25; n++) temp.ledger.recordWorkUnit(unit(n));
  });

  it('pages backwards from the newest unit', () => {
    const ids = (beforeId?: number) => temp.ledger.workHistory({ limit: 10, beforeId }).map((u) => u.id);
    expect(ids()).toEqual([25, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(ids(16)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
    expect(ids(6)).toEqual([5, 4, 3, 2, 1]);
    expect(ids(1)).toEqual([]);
    expect(temp.ledger.workHistory({ limit: 1 })[0]).toMatchObject({ stepStart: 240, stepEnd: 250 });
  });

  it('rejects a bad limit or cursor', () => {
    expect(() => temp.ledger.workHistory({ limit: 0 })).toThrow(/limit must be a positive integer/);
    expect(() => temp.ledger.workHistory({ limit: 10, beforeId: -1 })).toThrow(/beforeId/);
  });
});

describe('totals', () => {
  it('is all zeros for an empty ledger', () => {
    expect(temp.ledger.totals()).toEqual({ units: 0, steps: 0, samples: 0, seconds: 0 });
  });

  it('sums all units, or those finished since a time', () => {
    for (let n = 0; n < 4; n++) temp.ledger.recordWorkUnit(unit(n));
    expect(temp.ledger.totals()).toEqual({ units: 4, steps: 40, samples: 2560, seconds: 118 });
    expect(temp.ledger.totals(unit(2).finishedAt)).toEqual({ units: 2, steps: 20, samples: 1280, seconds: 59 });
    expect(() => temp.ledger.totals(NaN)).toThrow(/sinceMs/);
  });

  it("counts today's units from local midnight", () => {
    const now = new Date(2026, 10, 22, 15, 30).getTime();
    const midnight = startOfLocalDay(now);
    temp.ledger.recordWorkUnit(unit(0, { finishedAt: midnight - 1 }));
    temp.ledger.recordWorkUnit(unit(1, { finishedAt: midnight }));
    temp.ledger.recordWorkUnit(unit(2, { finishedAt: now }));
    expect(temp.ledger.totals(startOfLocalDay(now)).units).toBe(2);
  });
});

describe('lastUnit', () => {
  it("returns the run's unit with the highest steps, whatever the order recorded", () => {
    temp.ledger.recordWorkUnit(unit(5));
    temp.ledger.recordWorkUnit(unit(2));
    temp.ledger.recordWorkUnit(unit(9, { runId: 'run-b' }));
    expect(temp.ledger.lastUnit('run-a')).toMatchObject({ id: 1, stepStart: 50 });
    expect(temp.ledger.lastUnit('run-c')).toBeNull();
  });
});

describe('integrityCheck and close', () => {
  it('reports ok, and close may be called twice', () => {
    temp.ledger.recordWorkUnit(unit(0));
    expect(temp.ledger.integrityCheck()).toBe('ok');
    temp.ledger.close();
    temp.ledger.close();
    expect(() => temp.ledger.totals()).toThrow(/not open/);
  });
});
