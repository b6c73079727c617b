/** Rewards as rounds make them: a commit's credits to its headers' addresses, and an ended epoch closed once. */
import { describe, expect, it } from 'vitest';
import type { Commit } from '../../../../worker/rounds/commit.js';
import { rewardRoot } from '../../../../worker/rewards/merkle.js';
import { closeEndedEpoch, epochRecord, roundCredits } from '../../../../worker/rewards/round-rewards.js';
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

  it('closes the epoch that ended once a round of the next one opens, once, with the root of its totals', () => {
    const { rounds, rewards } = temp.ledger;
    const run = 'r'.repeat(32);
    rounds.open(run, 0, 'b'.repeat(64), 1);
    rounds.recordContribution({ runId: run, round: 0, hash: '1'.repeat(64), peerId: 'p1', own: true, rewardAddress: A, samples: 300, steps: 10, losses: {}, payloadBytes: 1, receivedAt: 1 });
    rounds.recordCommit({ runId: run, round: 0, modelHash: 'f'.repeat(64), committedBy: 'p1', accepted: [{ hash: '1'.repeat(64), score: 1 }], rejected: [], rewards: { emissionWei: '500', unallocatedWei: '0', credits: [{ hash: '1'.repeat(64), wei: '500' }] }, closedAt: 2 });
    expect(closeEndedEpoch(rewards, run, emission, 1, 7)).toBeNull(); // round 1 is still epoch 0
    const closed = closeEndedEpoch(rewards, run, emission, 2, 7);
    expect(closed).toEqual({ epoch: 0, endRound: 2, root: rewardRoot(new Map([[A, 500n]])), totalWei: '500', addresses: 1, closedAt: 7 });
    expect(closeEndedEpoch(rewards, run, emission, 3, 8)).toBeNull();
    expect(rewards.epochs(run)).toEqual([closed]);
    expect(epochRecord(rewards.totals(run, 2), 0, 2, 7)).toEqual(closed);
  });
});
