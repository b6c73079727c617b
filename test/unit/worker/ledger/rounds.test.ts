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
});
