/** Shared by the ledger tests: temp directories and well-formed inputs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach, beforeEach } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLedger, type Ledger, type SessionStart, type WorkUnitInput } from '../../../../worker/ledger/ledger.js';

/**
 * A fresh ledger file for every test of the calling suite (registers its own beforeEach/afterEach): `ledger`
 * is open at the start of each test, `file` is its path, `reopen()` closes it and opens the same file again.
 */
export function useTempLedger(): { readonly ledger: Ledger; readonly file: string; reopen(): Ledger } {
  let tmp: ReturnType<typeof tempDir>;
  let ledger: Ledger;
  beforeEach(() => {
    tmp = tempDir();
    ledger = openLedger(tmp.path('ledger.sqlite'));
  });
  afterEach(() => {
    ledger.close();
    tmp.remove();
  });
  return {
    get ledger() {
      return ledger;
    },
    get file() {
      return tmp.path('ledger.sqlite');
    },
    reopen() {
      ledger.close();
      ledger = openLedger(tmp.path('ledger.sqlite'));
      return ledger;
    },
  };
}

/** A fresh directory under the OS temp dir; call the returned `remove` in afterEach. */
export function tempDir(): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-ledger-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export const SESSION: SessionStart = {
  runId: 'run-a',
  model: 'dcgan',
  dataset: 'mnist',
  backend: 'wasm',
  nodeId: 'node-1',
  startedAt: 1_000,
};

/** Unit number `n` (0, 1, 2, ...) of a run with 10 steps of 64 samples per unit, finished at `1_000 + n * 30_000`. */
export function unit(n: number, overrides: Partial<WorkUnitInput> = {}): WorkUnitInput {
  return {
    sessionId: null,
    runId: 'run-a',
    shard: 3,
    stepStart: n * 10,
    stepEnd: n * 10 + 10,
    samples: 640,
    seconds: 29.5,
    losses: { discriminator: 0.69, generator: 0.71 },
    finishedAt: 1_000 + n * 30_000,
    ...overrides,
  };
}
