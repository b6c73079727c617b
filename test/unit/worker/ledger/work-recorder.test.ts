import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WorkUnit } from '../../../../worker/api/contract.js';
import type { WorkUnitInput } from '../../../../worker/ledger/ledger.js';
import { createWorkRecorder, type LedgerBlock } from '../../../../worker/ledger/work-recorder.js';

const unit = (stepStart: number): WorkUnitInput => ({
  runId: 'run',
  shard: 0,
  stepStart,
  stepEnd: stepStart + 10,
  samples: 640,
  seconds: 5,
  losses: { discriminator: 1, generator: 1 },
  finishedAt: 1,
  sessionId: null,
});

/** A ledger whose writes fail with `failure` while it is set, as better-sqlite3 throws them. */
function flakyLedger() {
  const rows: WorkUnit[] = [];
  const ledger = {
    failure: null as { code: string; message: string } | null,
    rows,
    recordWorkUnit(u: WorkUnitInput): WorkUnit | null {
      if (ledger.failure) throw Object.assign(new Error(ledger.failure.message), { code: ledger.failure.code });
      if (rows.some((r) => r.stepStart === u.stepStart)) return null;
      const row = { ...u, id: rows.length + 1 };
      rows.push(row);
      return row;
    },
  };
  return ledger;
}

/** A recorder over a flaky ledger, with what it reported; fake timers drive its retries. */
function setup(freeBytes: () => number = () => 4096) {
  vi.useFakeTimers();
  const ledger = flakyLedger();
  const recorded: number[] = [];
  const blocks: Array<LedgerBlock | null> = [];
  const recorder = createWorkRecorder({
    ledger,
    recorded: (u) => recorded.push(u.stepStart),
    blocked: (b) => blocks.push(b),
    freeBytes,
    retryMs: 1000,
  });
  return { ledger, recorded, blocks, recorder };
}

afterEach(() => vi.useRealTimers());

describe('createWorkRecorder', () => {
  it('keeps units through a full disk, says so once, and records them in order when room returns', () => {
    const { ledger, recorded, blocks, recorder } = setup();
    recorder.record(unit(0));
    ledger.failure = { code: 'SQLITE_FULL', message: 'database or disk is full' };
    recorder.record(unit(10));
    recorder.record(unit(20));
    vi.advanceTimersByTime(3000); // retries fail quietly: one block reported, not one per try
    expect(blocks).toEqual([{ kind: 'disk-full', freeBytes: 4096 }]);
    expect(recorder.pending).toBe(2);
    ledger.failure = null;
    vi.advanceTimersByTime(1000);
    expect(recorded).toEqual([0, 10, 20]);
    expect(blocks).toEqual([{ kind: 'disk-full', freeBytes: 4096 }, null]);
    expect(recorder.pending).toBe(0);
    recorder.close();
  });

  it('reports any other write error with its message, and a unit the ledger already had is not re-announced', () => {
    const { ledger, recorded, blocks, recorder } = setup(() => {
      throw new Error('statfs failed');
    });
    ledger.failure = { code: 'SQLITE_BUSY', message: 'database is locked' };
    recorder.record(unit(0));
    expect(blocks).toEqual([{ kind: 'error', message: 'database is locked' }]);
    ledger.failure = { code: 'SQLITE_FULL', message: 'database or disk is full' };
    vi.advanceTimersByTime(1000);
    expect(blocks.at(-1)).toEqual({ kind: 'disk-full', freeBytes: 0 }); // a failing probe still shows the state
    ledger.failure = null;
    recorder.record(unit(0)); // queued behind the first: kept in order, recorded once
    vi.advanceTimersByTime(1000);
    expect(recorded).toEqual([0]);
    expect(ledger.rows).toHaveLength(1);
    recorder.close();
  });

  it('close() makes one last attempt and stops retrying', () => {
    const { ledger, recorder } = setup();
    ledger.failure = { code: 'SQLITE_FULL', message: 'full' };
    recorder.record(unit(0));
    ledger.failure = null;
    recorder.close();
    expect(ledger.rows).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
