import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { LedgerInputError } from '../../../../worker/ledger/ledger.js';
import type { ContributionRecord } from '../../../../worker/ledger/rounds.js';
import { useTempLedger } from './fixtures.js';

const RUN = 'r'.repeat(32);
const base = 'b'.repeat(64);
const contribution = (n: number, overrides: Partial<ContributionRecord> = {}): ContributionRecord => ({
  runId: RUN,
  round: 3,
  hash: String(n).repeat(64).slice(0, 64),
  peerId: `12D3KooWpeer${n}`,
  own: n === 1,
  rewardAddress: n === 1 ? '0x' + 'ab'.repeat(20) : null,
  samples: 640 * n,
  steps: 10 * n,
  losses: { discriminator: 1.1, generator: 0.9 },
  payloadBytes: 29_733,
  receivedAt: 1000 + n,
  ...overrides,
});

describe('round records', () => {
  const temp = useTempLedger();
  const rounds = () => temp.ledger.rounds;

  it('records a round from open to commit: traffic, contributions, and what the commit made of them', () => {
    rounds().open(RUN, 3, base, 1000);
    rounds().open(RUN, 3, 'c'.repeat(64), 9999); // a second open changes nothing
    rounds().addTraffic(RUN, 3, 100, 30_000);
    rounds().addTraffic(RUN, 3, 60_000, 0);
    for (const n of [1, 2, 3, 4]) expect(rounds().recordContribution(contribution(n))).toBe(true);
    expect(rounds().recordContribution(contribution(2))).toBe(false); // a replay is recognised
    rounds().recordCommit({
      runId: RUN,
      round: 3,
      modelHash: 'f'.repeat(64),
      committedBy: '12D3KooWpeer2',
      accepted: [
        { hash: contribution(1).hash, score: 0.25 },
        { hash: contribution(2).hash, score: 0.5 },
        { hash: 'e'.repeat(64), score: 1 }, // named by the commit but never seen here: not counted
      ],
      rejected: [{ hash: contribution(3).hash, reason: 'copy' }],
      closedAt: 2000,
    });
    expect(rounds().contributions(RUN, 3)).toEqual([
      { hash: contribution(1).hash, peerId: '12D3KooWpeer1', own: true, status: 'accepted', reason: null, score: 0.25 },
      { hash: contribution(2).hash, peerId: '12D3KooWpeer2', own: false, status: 'accepted', reason: null, score: 0.5 },
      { hash: contribution(3).hash, peerId: '12D3KooWpeer3', own: false, status: 'rejected', reason: 'copy', score: null },
      { hash: contribution(4).hash, peerId: '12D3KooWpeer4', own: false, status: 'rejected', reason: 'not in the commit', score: null },
    ]);
    expect(rounds().history(RUN, 10)).toEqual([
      { runId: RUN, round: 3, baseHash: base, modelHash: 'f'.repeat(64), committedBy: '12D3KooWpeer2', accepted: 2, bytesIn: 60_100, bytesOut: 30_000, openedAt: 1000, closedAt: 2000 },
    ]);
  });

  it('refuses work for a round it never opened, and malformed records, storing nothing', () => {
    expect(() => rounds().recordContribution(contribution(1))).toThrow(/round 3 of r+ was never opened/);
    expect(() => rounds().addTraffic(RUN, 3, 1, 1)).toThrow(LedgerInputError);
    expect(() => rounds().recordCommit({ runId: RUN, round: 3, modelHash: 'f'.repeat(64), committedBy: 'x', accepted: [], rejected: [], closedAt: 1 })).toThrow(/never opened/);
    rounds().open(RUN, 3, base, 1000);
    expect(() => rounds().recordContribution(contribution(1, { hash: 'xyz' }))).toThrow(/hash must be 64 lowercase hex/);
    expect(() => rounds().recordContribution(contribution(1, { rewardAddress: '0xZZ' }))).toThrow(/bad reward address/);
    expect(() => rounds().recordContribution(contribution(1, { samples: -1 }))).toThrow(/samples/);
    expect(() => rounds().recordContribution(contribution(1, { losses: { generator: Number.NaN } }))).toThrow(/finite/);
    // A commit that fails halfway (a non-finite score) leaves the round open and no contribution changed.
    rounds().recordContribution(contribution(1));
    expect(() =>
      rounds().recordCommit({ runId: RUN, round: 3, modelHash: 'f'.repeat(64), committedBy: 'x', accepted: [{ hash: contribution(1).hash, score: Number.POSITIVE_INFINITY }], rejected: [], closedAt: 2000 }),
    ).toThrow(/finite/);
    expect(rounds().history(RUN, 1)[0]).toMatchObject({ modelHash: null, accepted: 0, closedAt: null });
  });

  it("keeps each commit as signed, and mends a fork's losing rounds as the network has them, in one write", () => {
    const losing = { runId: RUN, modelHash: 'a'.repeat(64), committedBy: '12D3KooWpeer1', rejected: [], closedAt: 2000 };
    for (const round of [3, 4]) {
      rounds().open(RUN, round, round === 3 ? base : 'a'.repeat(64), 1000);
      for (const n of [1, 2]) rounds().recordContribution(contribution(n, { round }));
      rounds().recordCommit({
        ...losing,
        round,
        accepted: [{ hash: contribution(1).hash, score: 1 }],
        rewards: { emissionWei: '100', unallocatedWei: '0', credits: [{ hash: contribution(1).hash, wei: '100' }] },
        signed: Uint8Array.of(round, 1, 2),
      });
    }
    expect(rounds().signedCommit(RUN, 3)).toEqual(Uint8Array.of(3, 1, 2));
    expect(rounds().signedCommit(RUN, 9)).toBeNull();
    expect(rounds().hashes(RUN, 4)).toEqual({ baseHash: 'a'.repeat(64), modelHash: 'a'.repeat(64) });
    expect(rounds().rewardAddresses(RUN, 3)).toEqual(new Map([[contribution(1).hash, '0x' + 'ab'.repeat(20)], [contribution(2).hash, null]]));

    const won = { runId: RUN, round: 3, modelHash: 'd'.repeat(64), committedBy: '12D3KooWpeer2', accepted: [{ hash: contribution(2).hash, score: 0.5 }], rejected: [], closedAt: 3000, signed: Uint8Array.of(9) };
    // Half a mend is none: a bad record later in the list leaves every round as it was.
    expect(() => rounds().recordMend([{ runId: RUN, round: 3, baseHash: base, commit: won }, { runId: RUN, round: 4, baseHash: 'xyz', commit: null }])).toThrow(LedgerInputError);
    expect(rounds().hashes(RUN, 3)?.modelHash).toBe('a'.repeat(64));

    // Round 3 had another commit on the network; round 4 none there (and 7 was never opened here).
    rounds().recordMend([
      { runId: RUN, round: 3, baseHash: base, commit: won },
      { runId: RUN, round: 4, baseHash: 'd'.repeat(64), commit: null },
      { runId: RUN, round: 7, baseHash: 'd'.repeat(64), commit: null },
    ]);
    expect(rounds().contributions(RUN, 3).map((c) => [c.own, c.status, c.reason])).toEqual([[true, 'rejected', 'not in the commit'], [false, 'accepted', null]]);
    expect(rounds().contributions(RUN, 4).map((c) => c.status)).toEqual(['received', 'received']);
    expect(rounds().signedCommit(RUN, 3)).toEqual(Uint8Array.of(9));
    expect(rounds().signedCommit(RUN, 4)).toBeNull();
    const [four, three] = rounds().history(RUN, 10);
    expect(three).toMatchObject({ round: 3, modelHash: 'd'.repeat(64), committedBy: '12D3KooWpeer2', accepted: 1 });
    expect(four).toMatchObject({ round: 4, baseHash: 'd'.repeat(64), modelHash: null, committedBy: null, accepted: 0, closedAt: null });
    expect(rounds().hashes(RUN, 7)).toBeNull();
    // The losing commits' credits are gone with them.
    const raw = new Database(temp.file, { readonly: true });
    try {
      expect(raw.prepare('SELECT count(*) FROM contributions WHERE credited_wei IS NOT NULL').pluck().get()).toBe(0);
      expect(raw.prepare('SELECT count(*) FROM rounds WHERE emission_wei IS NOT NULL').pluck().get()).toBe(0);
    } finally {
      raw.close();
    }
  });
});
