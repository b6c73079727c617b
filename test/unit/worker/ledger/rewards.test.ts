/**
 * The ledger's reward table: credits recorded with their commit, summed as bigints, epochs closed once; totals
 * start from a baseline (round 0's empty table, or the table a sync brought) and are unknown before any.
 */
import { describe, expect, it } from 'vitest';
import { LedgerInputError } from '../../../../worker/ledger/ledger.js';
import type { ContributionRecord } from '../../../../worker/ledger/rounds.js';
import { useTempLedger } from './fixtures.js';

const ROOT = `0x${'0'.repeat(64)}`;

const RUN = 'r'.repeat(32);
const A = `0x${'aa'.repeat(20)}`;
const B = `0x${'bb'.repeat(20)}`;
const hash = (round: number, n: number) => `${round}${n}`.padStart(64, '0');
const contribution = (round: number, n: number, rewardAddress: string | null): ContributionRecord => ({
  runId: RUN,
  round,
  hash: hash(round, n),
  peerId: `12D3KooWpeer${n}`,
  own: n === 1,
  rewardAddress,
  samples: 160,
  steps: 10,
  losses: {},
  payloadBytes: 100,
  receivedAt: 1,
});

describe('the reward table', () => {
  const temp = useTempLedger();

  /** A round of three contributions (A, B, none); the first two accepted and credited, the third refused. */
  function round(r: number, weiA: string, weiB: string) {
    const { rounds } = temp.ledger;
    rounds.open(RUN, r, 'b'.repeat(64), 1);
    [A, B, null].forEach((address, i) => rounds.recordContribution(contribution(r, i + 1, address)));
    rounds.recordCommit({
      runId: RUN,
      round: r,
      modelHash: 'f'.repeat(64),
      committedBy: 'x',
      accepted: [
        { hash: hash(r, 1), score: 1 },
        { hash: hash(r, 2), score: 1 },
      ],
      rejected: [{ hash: hash(r, 3), reason: 'copy' }],
      // The refused one's credit is ignored: only accepted contributions are credited.
      rewards: { emissionWei: '5000000000000000000000', unallocatedWei: '7', credits: [{ hash: hash(r, 1), wei: weiA }, { hash: hash(r, 2), wei: weiB }, { hash: hash(r, 3), wei: '999' }] },
      closedAt: 2,
    });
  }

  it('sums each address over rounds as bigints, past 64-bit integers, up to a round', () => {
    temp.ledger.rewards.setBaseline(RUN, 0, ROOT, new Map(), 1);
    round(0, '2850000000000000000000', '1');
    round(1, '2850000000000000000000', '2');
    round(2, '1', '1');
    const { rewards } = temp.ledger;
    expect(rewards.totals(RUN, 2)).toEqual(new Map([[A, 5_700_000_000_000_000_000_000n], [B, 3n]]));
    expect(rewards.totals(RUN, 3)!.get(A)).toBe(5_700_000_000_000_000_000_001n);
    expect(rewards.emitted(RUN, 0, 3)).toEqual({ emission: 15_000_000_000_000_000_000_000n, unallocated: 21n });
    expect(rewards.credits(RUN, 1, 2).map((c) => [c.address, c.wei])).toEqual([[A, '2850000000000000000000'], [B, '2']]);
  });

  it('refuses an amount that is not whole decimal wei, and then records nothing of the commit', () => {
    const { rounds, rewards } = temp.ledger;
    rounds.open(RUN, 0, 'b'.repeat(64), 1);
    rounds.recordContribution(contribution(0, 1, A));
    const commit = (wei: string) => rounds.recordCommit({ runId: RUN, round: 0, modelHash: 'f'.repeat(64), committedBy: 'x', accepted: [{ hash: hash(0, 1), score: 1 }], rejected: [], rewards: { emissionWei: '10', unallocatedWei: '0', credits: [{ hash: hash(0, 1), wei }] }, closedAt: 2 });
    rewards.setBaseline(RUN, 0, ROOT, new Map(), 1);
    for (const bad of ['1.5', '-1', '1e3', '']) expect(() => commit(bad)).toThrow(LedgerInputError);
    expect(rounds.contributions(RUN, 0)[0]).toMatchObject({ status: 'received' });
    expect(rewards.totals(RUN, 1)!.size).toBe(0);
  });

  it('a second commit for a round (a better-ranked one) replaces what the first credited, not adds to it', () => {
    const { rounds, rewards } = temp.ledger;
    rewards.setBaseline(RUN, 0, ROOT, new Map(), 1);
    round(0, '100', '200');
    // The winner accepts only B's contribution, and refuses A's.
    rounds.recordCommit({
      runId: RUN,
      round: 0,
      modelHash: 'e'.repeat(64),
      committedBy: 'y',
      accepted: [{ hash: hash(0, 2), score: 1 }],
      rejected: [{ hash: hash(0, 1), reason: 'copy' }],
      rewards: { emissionWei: '5000000000000000000000', unallocatedWei: '0', credits: [{ hash: hash(0, 2), wei: '300' }] },
      closedAt: 3,
    });
    expect(rewards.totals(RUN, 1)).toEqual(new Map([[B, 300n]]));
    expect(rounds.contributions(RUN, 0).map((c) => [c.hash, c.status, c.reason])).toEqual([
      [hash(0, 1), 'rejected', 'copy'],
      [hash(0, 2), 'accepted', null],
      [hash(0, 3), 'rejected', 'not in the commit'],
    ]);
  });

  it('knows no totals before its first baseline; from a synced one, adds the credits recorded since', () => {
    const { rewards } = temp.ledger;
    round(4, '10', '20'); // credits of a round this peer saw before it synced: the baseline supersedes them
    expect(rewards.totals(RUN, 6)).toBeNull();
    rewards.setBaseline(RUN, 5, ROOT, new Map([[A, 1000n], [B, 1n]]), 1);
    round(5, '3', '4');
    expect(rewards.totals(RUN, 5)).toEqual(new Map([[A, 1000n], [B, 1n]]));
    expect(rewards.totals(RUN, 6)).toEqual(new Map([[A, 1003n], [B, 5n]]));
    expect(rewards.totals(RUN, 4)).toBeNull();
    // A later sync to the same round replaces its table; one to a later round supersedes it from there.
    rewards.setBaseline(RUN, 5, ROOT, new Map([[A, 7n]]), 2);
    expect(rewards.totals(RUN, 6)).toEqual(new Map([[A, 10n], [B, 4n]]));
    rewards.setBaseline(RUN, 6, ROOT, new Map([[B, 9n]]), 3);
    expect(rewards.totals(RUN, 6)).toEqual(new Map([[B, 9n]]));
    expect(rewards.baselines(RUN).map((b) => [b.round, b.totals])).toEqual([[5, new Map([[A, 7n]])], [6, new Map([[B, 9n]])]]);
  });

  it("knows no totals across a sync's gap: the rounds between the last commit it recorded and the round it synced to", () => {
    const { rewards } = temp.ledger;
    rewards.setBaseline(RUN, 0, ROOT, new Map(), 1);
    round(0, '1', '2');
    round(1, '1', '2');
    // Down for rounds 2 and 3 (committed without this peer), then synced to round 4.
    rewards.setBaseline(RUN, 4, ROOT, new Map([[A, 50n]]), 2);
    expect(rewards.baselines(RUN).map((b) => [b.round, b.gapFrom])).toEqual([[0, 0], [4, 2]]);
    expect(rewards.totals(RUN, 2)).toEqual(new Map([[A, 2n], [B, 4n]]));
    expect(rewards.totals(RUN, 3)).toBeNull();
    expect(rewards.totals(RUN, 4)).toEqual(new Map([[A, 50n]]));
  });

  it('refuses a baseline that is not a table of lowercase addresses and whole wei', () => {
    const { rewards } = temp.ledger;
    expect(() => rewards.setBaseline(RUN, 1, 'ab', new Map(), 1)).toThrow(/root must be 0x/);
    expect(() => rewards.setBaseline(RUN, 1, ROOT, new Map([[A.toUpperCase(), 1n]]), 1)).toThrow(/not a lowercase 0x address/);
    expect(() => rewards.setBaseline(RUN, 1, ROOT, new Map([[A, -1n]]), 1)).toThrow(/whole wei/);
    expect(() => rewards.setBaseline(RUN, -1, ROOT, new Map(), 1)).toThrow(LedgerInputError);
    expect(rewards.baselines(RUN)).toEqual([]);
  });

  it('closes an epoch once: the same root again changes nothing, another root is refused', () => {
    const { rewards } = temp.ledger;
    const record = { epoch: 0, endRound: 30, root: `0x${'c'.repeat(64)}`, totalWei: '100', addresses: 2, closedAt: 5 };
    expect(rewards.closeEpoch(RUN, record)).toBe(true);
    expect(rewards.closeEpoch(RUN, { ...record, closedAt: 9 })).toBe(false);
    expect(() => rewards.closeEpoch(RUN, { ...record, root: `0x${'d'.repeat(64)}` })).toThrow(/closed with root/);
    expect(() => rewards.closeEpoch(RUN, { ...record, epoch: 1, totalWei: '1.0' })).toThrow(LedgerInputError);
    expect(rewards.epochs(RUN)).toEqual([record]);
    expect(rewards.epoch(RUN, 1)).toBeNull();
  });
});
