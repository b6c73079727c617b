/**
 * Crash safety of a commit's write with a real file: a writer process adopts commits as a node does and is
 * killed with SIGKILL at a random moment, 20 times. After each kill the ledger must be intact and consistent —
 * every round closed with exactly its credits (summing with the unallocated part to the round's emission) or
 * not closed at all, with no credit or acceptance in it — every ended epoch closed with the root the rounds
 * give, no recorded root ever changed, and `rewards verify` agreeing.
 */
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rewardsCommand } from '../../../../worker/cli/rewards-command.js';
import { openLedger } from '../../../../worker/ledger/ledger.js';
import { roundEmission } from '../../../../worker/rewards/emission.js';
import { tempDir } from '../../../unit/worker/ledger/fixtures.js';
import { ACCEPTED, CRASH_EMISSION, CRASH_RUN, crashRound, expectedCredits, expectedRoot } from './fixtures/commits.js';
import { startWriter } from './writer-process.js';

const KILLS = 20;

interface RoundRow {
  round: number;
  modelHash: string | null;
  emission: string | null;
  unallocated: string | null;
  accepted: number | null;
}
interface ContributionRow {
  round: number;
  hash: string;
  status: string;
  reason: string | null;
  credited: string | null;
}

function read(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      rounds: db.prepare<[string], RoundRow>('SELECT round, model_hash AS modelHash, emission_wei AS emission, unallocated_wei AS unallocated, accepted FROM rounds WHERE run_id = ? ORDER BY round').all(CRASH_RUN),
      contributions: db.prepare<[string], ContributionRow>('SELECT round, hash, status, reason, credited_wei AS credited FROM contributions WHERE run_id = ?').all(CRASH_RUN),
    };
  } finally {
    db.close();
  }
}

/** Every round closed with all of its commit, or open with none of it; returns the closed rounds' count. */
function expectConsistentRounds(file: string): number {
  const { rounds, contributions } = read(file);
  const closed = rounds.filter((r) => r.modelHash !== null);
  // Rounds close in order: 0..k-1 closed, at most round k open after them.
  expect(closed.map((r) => r.round)).toEqual(closed.map((_, i) => i));
  expect(rounds.length - closed.length).toBeLessThanOrEqual(1);
  for (const row of rounds) {
    const own = contributions.filter((c) => c.round === row.round);
    if (row.modelHash === null) {
      expect(own.filter((c) => c.status !== 'received' || c.credited !== null), `open round ${row.round}`).toEqual([]);
      expect([row.emission, row.accepted]).toEqual([null, 0]);
      continue;
    }
    const { commit } = crashRound(row.round);
    const credits = expectedCredits(row.round);
    expect(row.modelHash).toBe(commit.modelHash);
    expect(row.accepted).toBe(ACCEPTED);
    expect(row.emission).toBe(roundEmission(CRASH_EMISSION, row.round).toString());
    expect(own).toHaveLength(ACCEPTED + 1);
    for (const c of own) {
      if (credits.has(c.hash)) expect([c.status, c.credited]).toEqual(['accepted', credits.get(c.hash)]);
      else expect([c.status, c.reason, c.credited]).toEqual(['rejected', 'no-improvement', null]);
    }
    const credited = own.reduce((sum, c) => sum + BigInt(c.credited ?? 0), 0n);
    expect(credited + BigInt(row.unallocated!)).toBe(BigInt(row.emission!));
  }
  return closed.length;
}

describe('a commit’s write under kill -9', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.remove());

  it('leaves every round whole and every reward root unchanged across 20 kills', async () => {
    const dir = tmp.path('');
    const file = tmp.path('ledger.sqlite');
    const roots = new Map<number, string>();
    let done = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      const writer = startWriter([dir], 'commit-writer.ts');
      // Past start-up and adopting (it saved a new round), then strike at random.
      await writer.reach(done + 1);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
      expect(await writer.kill9()).toBe('SIGKILL');

      const ledger = openLedger(file);
      try {
        expect(ledger.integrityCheck()).toBe('ok');
        const epochs = ledger.rewards.epochs(CRASH_RUN);
        for (const epoch of epochs) {
          expect(epoch.root, `epoch ${epoch.epoch}`).toBe(expectedRoot(epoch.epoch));
          if (roots.has(epoch.epoch)) expect(epoch.root).toBe(roots.get(epoch.epoch));
          roots.set(epoch.epoch, epoch.root);
        }
        // No recorded root went missing either.
        expect([...roots.keys()].every((e) => epochs.some((x) => x.epoch === e))).toBe(true);
      } finally {
        ledger.close();
      }
      const closed = expectConsistentRounds(file);
      expect(closed).toBeGreaterThanOrEqual(writer.reported());
      // Every ended epoch is closed, but the one whose last round the kill may have caught before its close.
      const ended = Math.floor(closed / CRASH_EMISSION.epochRounds);
      expect(roots.size).toBeGreaterThanOrEqual(closed % CRASH_EMISSION.epochRounds === 0 ? ended - 1 : ended);
      expect(roots.size).toBeLessThanOrEqual(ended);
      done = writer.reported();
    }
    expect(roots.size).toBeGreaterThan(2);

    const out: string[] = [];
    await rewardsCommand(['verify', '--data-dir', tmp.path('')], (line) => out.push(line));
    expect(out).toHaveLength(roots.size);
    expect(out.every((line) => line.includes(': ok  root'))).toBe(true);
  }, 180_000);
});
