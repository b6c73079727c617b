/**
 * What this node earned, from a real ledger: only its own contributions count, rejected ones by reason in
 * words, credits summed as bigints into today, pending (after the last closed root) and per local day.
 */
import { describe, expect, it } from 'vitest';
import type { ContributionRecord } from '../../../../worker/ledger/rounds.js';
import { DEFAULT_EMISSION } from '../../../../worker/rewards/emission.js';
import { earningsOf } from '../../../../worker/rewards/earnings.js';
import { useTempLedger } from '../ledger/fixtures.js';

const RUN = 'r'.repeat(32);
const ME = `0x${'aa'.repeat(20)}`;
const hash = (round: number, n: number) => `${round}${n}`.padStart(64, '0');
const DAY = 86_400_000;
const NOW = new Date(2026, 11, 3, 12).getTime();

describe('earnings', () => {
  const temp = useTempLedger();

  /** Round r: our contribution (n 1) and another peer's (n 2); ours accepted with `wei`, or refused for `reason`. */
  function round(r: number, closedAt: number, outcome: { wei: string } | { reason: string }) {
    const { rounds } = temp.ledger;
    rounds.open(RUN, r, 'b'.repeat(64), closedAt - 1000);
    for (const n of [1, 2]) {
      const c: ContributionRecord = { runId: RUN, round: r, hash: hash(r, n), peerId: `12D3KooWpeer${n}`, own: n === 1, rewardAddress: ME, samples: 160, steps: 10, losses: {}, payloadBytes: 100, receivedAt: closedAt - 500 };
      rounds.recordContribution(c);
    }
    const ours = 'wei' in outcome;
    rounds.recordCommit({
      runId: RUN,
      round: r,
      modelHash: 'f'.repeat(64),
      committedBy: 'x',
      accepted: [...(ours ? [{ hash: hash(r, 1), score: 150 }] : []), { hash: hash(r, 2), score: 160 }],
      rejected: ours ? [] : [{ hash: hash(r, 1), reason: outcome.reason }],
      rewards: { emissionWei: '1000', unallocatedWei: '0', credits: [...(ours ? [{ hash: hash(r, 1), wei: outcome.wei }] : []), { hash: hash(r, 2), wei: '1' }] },
      closedAt,
    });
  }

  const read = (round: number) =>
    earningsOf({
      rows: temp.ledger.earnings.own(RUN, 100),
      counts: temp.ledger.earnings.counts(RUN),
      credited: temp.ledger.earnings.credited(RUN),
      epochs: temp.ledger.rewards.epochs(RUN),
      emission: { ...DEFAULT_EMISSION, epochRounds: 3 },
      round,
      rewardAddress: ME,
      now: NOW,
      recent: [],
      reputation: 0,
    });

  it('counts our contributions only, with the reasons of the rejected ones in words', () => {
    round(0, NOW - 2 * DAY, { wei: '2850000000000000000000' });
    round(1, NOW - 2 * DAY, { reason: 'copy' });
    round(2, NOW, { reason: 'no-improvement' });
    const e = read(3);
    expect(e.contributions.map((c) => [c.round, c.status, c.reason])).toEqual([[2, 'rejected', 'no-improvement'], [1, 'rejected', 'copy'], [0, 'accepted', null]]);
    expect(e.contributions[1]!.reasonText).toBe('a copy of another peer’s update');
    expect(e.totals).toMatchObject({ accepted: 1, rejected: 2, rejectedBy: { copy: 1, 'no-improvement': 1 }, creditedWei: '2850000000000000000000', todayWei: '0' });
    expect(e.contributions[2]).toMatchObject({ score: 150, samples: 160, creditedWei: '2850000000000000000000' });
  });

  it('sums credits past 64 bits into today, per day, and pending after the last closed epoch', () => {
    round(0, NOW - DAY, { wei: '2850000000000000000000' });
    round(1, NOW - DAY, { wei: '9007199254740993' });
    round(2, NOW, { wei: '5' });
    round(3, NOW, { wei: '7' });
    temp.ledger.rewards.closeEpoch(RUN, { epoch: 0, endRound: 3, root: `0x${'12'.repeat(32)}`, totalWei: '1', addresses: 2, closedAt: NOW });
    const e = read(4);
    expect(e.totals.creditedWei).toBe((2_850_000_000_000_000_000_000n + 9_007_199_254_740_993n + 12n).toString());
    expect(e.totals.todayWei).toBe('12');
    // Rounds 0–2 are in epoch 0's root; round 3 is in none yet.
    expect(e.totals.pendingWei).toBe('7');
    expect(e.epoch).toEqual({ epoch: 1, rounds: 3, roundsDone: 1, lastClosed: { epoch: 0, root: `0x${'12'.repeat(32)}`, totalWei: (2_850_000_000_000_000_000_000n + 9_007_199_254_740_993n + 5n).toString(), closedAt: NOW } });
    expect(e.daily.map((d) => d.wei)).toEqual([(2_850_000_000_000_000_000_000n + 9_007_199_254_740_993n).toString(), '12']);
    expect(e.daily[1]!.day).toBe('2026-12-03');
  });

  it('with nothing closed, everything credited is pending', () => {
    round(0, NOW, { wei: '3' });
    expect(read(1).totals.pendingWei).toBe('3');
    expect(read(1).epoch.lastClosed).toBeNull();
  });
});
