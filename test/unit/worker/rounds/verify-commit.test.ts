/**
 * A commit's reputation table is checked before anything is fetched for it: it must be the base commit's table
 * moved by the commit's own scores, or the commit is ignored with that reason. Its reward root must be the
 * table before the round plus the round's credits; a peer that does not know the table before takes the
 * commit without that check, and knows no table after it either.
 */
import { describe, expect, it } from 'vitest';
import type { Commit } from '../../../../worker/rounds/commit.js';
import type { ContributionStore, Held } from '../../../../worker/rounds/contributions.js';
import { modelHash } from '../../../../worker/rounds/outer.js';
import { DEFAULT_RUN_SPEC } from '../../../../worker/rounds/run-spec.js';
import { applyContributions, verifyCommit, type CommitContext } from '../../../../worker/rounds/verify.js';
import { rewardRoot } from '../../../../worker/rewards/merkle.js';
import { roundEmission } from '../../../../worker/rewards/emission.js';
import { nextReputation } from '../../../../worker/verify/reputation.js';

const A = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA';
const base = [{ peer: A, ppm: 500_000 }];

function context(log: string[]): CommitContext {
  // Nothing is held: a commit that passes the table check is then ignored for naming no contribution of its signer.
  const contributions = { round: () => new Map() } as unknown as ContributionStore;
  return {
    from: { theta: new Float32Array(4), momentum: new Float32Array(4) },
    base: 'b'.repeat(64),
    reputation: base,
    round: 3,
    contributions,
    outer: DEFAULT_RUN_SPEC.outerOptimizer,
    aggregation: DEFAULT_RUN_SPEC.aggregation,
    emission: DEFAULT_RUN_SPEC.rewards,
    totals: new Map(),
    log: (line) => log.push(line),
  };
}

const commit = (reputation: Commit['reputation']): Commit => ({ runId: 'a'.repeat(32), round: 3, committedAt: 1, baseHash: 'b'.repeat(64), accepted: [], rejected: [], modelHash: 'f'.repeat(64), reputation, rewardRoot: `0x${'0'.repeat(64)}` });

describe('checking a commit’s reputation table', () => {
  it('ignores a commit whose table does not follow from the base’s and its scores', async () => {
    const log: string[] = [];
    // Kept at 500,000 though A contributed nothing this round (it must decay to 400,000).
    expect(await verifyCommit({ commit: commit(base), signer: A }, context(log))).toBeNull();
    expect(log.join('\n')).toMatch(/reputation table is not what/);
    // Dropping a reputed peer is no better.
    expect(await verifyCommit({ commit: commit([]), signer: A }, context(log))).toBeNull();
    expect(log.at(-1)).toMatch(/reputation table/);
  });

  it('lets a commit with the right table on to the next check', async () => {
    const log: string[] = [];
    const table = nextReputation(base, []);
    expect(table).toEqual([{ peer: A, ppm: 400_000 }]);
    expect(await verifyCommit({ commit: commit(table), signer: A }, context(log))).toBeNull();
    expect(log.join('\n')).not.toMatch(/reputation/);
    expect(log.at(-1)).toMatch(/did not contribute/);
  });
});

describe('checking a commit’s reward root', () => {
  const address = `0x${'a1'.repeat(20)}`;
  const other = `0x${'b2'.repeat(20)}`;
  const held: Held = {
    header: { runId: 'a'.repeat(32), round: 3, baseHash: 'b'.repeat(64), rewardAddress: address, samples: 160, steps: 10, losses: {}, payloadHash: 'c'.repeat(64), payloadBytes: 10 },
    peerId: A,
    bytes: new Uint8Array(1),
    hash: 'd'.repeat(64),
    payload: new Uint8Array(1),
    update: { size: 4, indices: Uint32Array.of(1), values: Float32Array.of(0.5) },
  };
  const before = new Map([[other, 7n], [address, 3n]]);
  const withHeld = (totals: Map<string, bigint> | null): CommitContext => ({
    ...context([]),
    contributions: { round: () => new Map([[held.hash, held]]) } as unknown as ContributionStore,
    totals,
  });
  const accepted = [{ hash: held.hash, peer: A, samples: 160, score: 1 }];
  const model = applyContributions(withHeld(null).from, [held], DEFAULT_RUN_SPEC.outerOptimizer, DEFAULT_RUN_SPEC.aggregation);
  const emission = roundEmission(DEFAULT_RUN_SPEC.rewards, 3);
  // One contributor at full score: its peer cap (a quarter at most, scaled by reputation 0.5 → 0.75 of it).
  const credit = (emission * BigInt(DEFAULT_RUN_SPEC.rewards.peerCapBps) * 750_000n) / (10_000n * 1_000_000n);
  const after = new Map([[other, 7n], [address, 3n + credit]]);
  const rooted = (rewardRoot: string): Commit => ({ ...commit(nextReputation(base, accepted)), accepted, modelHash: modelHash(model.theta, model.momentum), rewardRoot });

  it('takes a commit whose root is the table before plus its credits, and gives the table after', async () => {
    const verified = await verifyCommit({ commit: rooted(rewardRoot(after)), signer: A }, withHeld(before));
    expect(verified?.totals).toEqual(after);
    expect(verified?.rewards.credits).toEqual([{ hash: held.hash, wei: credit.toString() }]);
  });

  it('ignores a commit whose root credits anything else (the table before, or one wei more)', async () => {
    const log: string[] = [];
    const context = { ...withHeld(before), log: (line: string) => log.push(line) };
    expect(await verifyCommit({ commit: rooted(rewardRoot(before)), signer: A }, context)).toBeNull();
    expect(log.at(-1)).toMatch(/reward root is not what its credits make/);
    const greedy = new Map([[other, 7n], [address, 4n + credit]]);
    expect(await verifyCommit({ commit: rooted(rewardRoot(greedy)), signer: A }, context)).toBeNull();
  });

  it('without the table before, takes the commit unchecked and knows no table after', async () => {
    const verified = await verifyCommit({ commit: rooted(rewardRoot(before)), signer: A }, withHeld(null));
    expect(verified).not.toBeNull();
    expect(verified!.totals).toBeNull();
  });
});
