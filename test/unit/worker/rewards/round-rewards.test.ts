/** Rewards as rounds make them: a commit's credits to its headers' addresses, and an ended epoch closed once. */
import { describe, expect, it } from 'vitest';
import type { Commit } from '../../../../worker/rounds/commit.js';
import { EMPTY_ROOT, rewardRoot } from '../../../../worker/rewards/merkle.js';
import { EpochCloser, closeEndedEpoch, creditRound, epochRecord, roundCredits } from '../../../../worker/rewards/round-rewards.js';
import type { EpochRecord } from '../../../../worker/ledger/rewards.js';
import type { Emission } from '../../../../worker/rewards/emission.js';
import { useTempLedger } from '../ledger/fixtures.js';

const emission: Emission = { epochRounds: 2, firstEpochWei: '1000', halvingEpochs: 10, allocationWei: '100000', peerCapBps: 10_000 };
const A = `0x${'aa'.repeat(20)}`;
const commit = (round: number): Commit => ({
  runId: 'r'.repeat(32),
  round,
  committedAt: 1,
  baseHash: 'b'.repeat(64),
  accepted: [
    { hash: '1'.repeat(64), peer: 'p1', samples: 300, score: 1 },
    { hash: '2'.repeat(64), peer: 'p2', samples: 100, score: 1 },
  ],
  rejected: [],
  modelHash: 'f'.repeat(64),
  reputation: [],
  rewardRoot: EMPTY_ROOT,
});

describe('round rewards', () => {
  const temp = useTempLedger();

  it("credits a commit's accepted to the addresses their headers name; one without an address earns nothing", () => {
    const full = [{ peer: 'p1', ppm: 1_000_000 }, { peer: 'p2', ppm: 1_000_000 }];
    const credits = roundCredits(emission, commit(1), new Map([['1'.repeat(64), A], ['2'.repeat(64), null]]), full);
    // Round 1 is the epoch's last: 500 wei; 3:1 by samples, the second's share unallocated.
    expect(credits).toEqual({ emissionWei: '500', unallocatedWei: '125', credits: [{ hash: '1'.repeat(64), wei: '375' }, { hash: '2'.repeat(64), wei: '0' }] });
  });

  it("caps a peer's share by its reputation when the round began: a newcomer may take half the run's cap", () => {
    const capped = { ...emission, peerCapBps: 5_000 };
    const addresses = new Map([['1'.repeat(64), A], ['2'.repeat(64), A]]);
    // Both fully reputed: each may take 250 of 500; p1's 375 by samples is capped, p2 takes the rest.
    const reputed = roundCredits(capped, commit(1), addresses, [{ peer: 'p1', ppm: 1_000_000 }, { peer: 'p2', ppm: 1_000_000 }]);
    expect(reputed.credits.map((c) => c.wei)).toEqual(['250', '250']);
    // p1 new (cap 125), p2 at 0.5 (cap 187): what neither may take stays unallocated.
    const mixed = roundCredits(capped, commit(1), addresses, [{ peer: 'p2', ppm: 500_000 }]);
    expect(mixed).toMatchObject({ unallocatedWei: '188', credits: [{ wei: '125' }, { wei: '187' }] });
  });

  it('adds a round\'s credits to the table before it, and roots the table after', () => {
    const B = `0x${'bb'.repeat(20)}`;
    const before = new Map([[A, 1n], [B, 2n]]);
    const credited = creditRound(emission, commit(1), new Map([['1'.repeat(64), A], ['2'.repeat(64), null]]), [{ peer: 'p1', ppm: 1_000_000 }], before);
    expect(credited.totals).toEqual(new Map([[A, 376n], [B, 2n]]));
    expect(credited.root).toBe(rewardRoot(credited.totals));
    expect(before).toEqual(new Map([[A, 1n], [B, 2n]])); // the table before is left as it was
  });

  it('closes the epoch that ended once a round of the next one opens, once, with the root of its totals', () => {
    const { rounds, rewards } = temp.ledger;
    const run = 'r'.repeat(32);
    rewards.setBaseline(run, 0, EMPTY_ROOT, new Map(), 0);
    rounds.open(run, 0, 'b'.repeat(64), 1);
    rounds.recordContribution({ runId: run, round: 0, hash: '1'.repeat(64), peerId: 'p1', own: true, rewardAddress: A, samples: 300, steps: 10, losses: {}, payloadBytes: 1, receivedAt: 1 });
    rounds.recordCommit({ runId: run, round: 0, modelHash: 'f'.repeat(64), committedBy: 'p1', accepted: [{ hash: '1'.repeat(64), score: 1 }], rejected: [], rewards: { emissionWei: '500', unallocatedWei: '0', credits: [{ hash: '1'.repeat(64), wei: '500' }] }, closedAt: 2 });
    expect(closeEndedEpoch(rewards, run, emission, 1, null, 7)).toEqual({ kind: 'none' }); // round 1 is still epoch 0
    const root = rewardRoot(new Map([[A, 500n]]));
    // The network's table (the last commit's) disagrees: credits the ledger lacks; nothing is closed.
    expect(closeEndedEpoch(rewards, run, emission, 2, EMPTY_ROOT, 7)).toEqual({ kind: 'mismatch', epoch: 0, ledger: root, network: EMPTY_ROOT });
    expect(rewards.epochs(run)).toEqual([]);
    const closed = { epoch: 0, endRound: 2, root, totalWei: '500', addresses: 1, closedAt: 7 };
    expect(closeEndedEpoch(rewards, run, emission, 2, root, 7)).toEqual({ kind: 'closed', record: closed });
    expect(closeEndedEpoch(rewards, run, emission, 3, null, 8)).toEqual({ kind: 'none' });
    expect(rewards.epochs(run)).toEqual([closed]);
    expect(epochRecord(rewards.totals(run, 2)!, 0, 2, 7)).toEqual(closed);
  });

  it('closes nothing for an epoch that ended before the ledger\'s history begins (a peer that joined later)', () => {
    const { rewards } = temp.ledger;
    const run = 's'.repeat(32);
    const synced = new Map([[A, 9n]]);
    rewards.setBaseline(run, 5, rewardRoot(synced), synced, 1);
    // Epoch 1 (rounds 2-3) ended before round 5, the first this peer holds the totals of.
    expect(closeEndedEpoch(rewards, run, emission, 5, null, 7)).toEqual({ kind: 'unknown', epoch: 1 });
    expect(rewards.epochs(run)).toEqual([]);
    // Epoch 2 (rounds 4-5) ends after it: closed from the baseline and the credits since (none here).
    expect(closeEndedEpoch(rewards, run, emission, 6, rewardRoot(synced), 7)).toMatchObject({ kind: 'closed', record: { epoch: 2, root: rewardRoot(synced) } });
  });

  it("closes an epoch a round after its end round opened, checked against the totals held when that round opened", () => {
    const { rounds, rewards } = temp.ledger;
    const run = 'e'.repeat(32);
    const lines: string[] = [];
    const closed: EpochRecord[] = [];
    const closer = new EpochCloser({ table: rewards, runId: run, emission, log: (line) => lines.push(line), closed: (record) => closed.push(record) });
    rewards.setBaseline(run, 0, EMPTY_ROOT, new Map(), 1);
    const credit = (round: number, wei: string) => {
      rounds.open(run, round, 'b'.repeat(64), 1);
      const hash = String(round + 1).repeat(64);
      rounds.recordContribution({ runId: run, round, hash, peerId: 'p1', own: true, rewardAddress: A, samples: 1, steps: 1, losses: {}, payloadBytes: 1, receivedAt: 1 });
      rounds.recordCommit({ runId: run, round, modelHash: 'f'.repeat(64), committedBy: 'p1', accepted: [{ hash, score: 1 }], rejected: [], rewards: { emissionWei: wei, unallocatedWei: '0', credits: [{ hash, wei }] }, closedAt: 2 });
    };
    credit(0, '200');
    credit(1, '300');
    const held = new Map([[A, 500n]]);
    closer.roundOpened(2, held);
    // The end round's commit may still be replaced: nothing closes while round 2 is open.
    expect(rewards.epochs(run)).toEqual([]);
    closer.roundOpened(3, new Map([[A, 900n]]));
    expect(closed).toMatchObject([{ epoch: 0, endRound: 2, root: rewardRoot(held), totalWei: '500' }]);
    expect(rewards.epochs(run)).toHaveLength(1);
    expect(lines).toEqual([expect.stringMatching(/^rewards: epoch 0 closed: 1 addresses/)]);

    // Epoch 1's end round opened with totals the ledger does not make (a credit it failed to record): not closed.
    credit(2, '100');
    credit(3, '100');
    closer.roundOpened(4, new Map([[A, 999n]]));
    closer.roundOpened(5, new Map([[A, 999n]]));
    expect(closed).toHaveLength(1);
    expect(rewards.epochs(run)).toHaveLength(1);
    expect(lines[1]).toMatch(/^rewards: epoch 1 not closed: the ledger's totals make root/);
  });

  it('logs a ledger that cannot write rather than throwing into the round', () => {
    const lines: string[] = [];
    const broken = { ...temp.ledger.rewards, epoch: () => { throw new Error('database is locked'); } };
    const closer = new EpochCloser({ table: broken, runId: 'x'.repeat(32), emission, log: (line) => lines.push(line), closed: () => {} });
    expect(() => closer.roundOpened(3, new Map())).not.toThrow();
    expect(lines).toEqual(['rounds: the ledger could not record this: database is locked']);
  });
});
