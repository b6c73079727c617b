/**
 * A commit's reputation table is checked before anything is fetched for it: it must be the base commit's table
 * moved by the commit's own scores, or the commit is ignored with that reason.
 */
import { describe, expect, it } from 'vitest';
import type { Commit } from '../../../../worker/rounds/commit.js';
import type { ContributionStore } from '../../../../worker/rounds/contributions.js';
import { DEFAULT_RUN_SPEC } from '../../../../worker/rounds/run-spec.js';
import { verifyCommit, type CommitContext } from '../../../../worker/rounds/verify.js';
import { nextReputation } from '../../../../worker/verify/reputation.js';

const A = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA';
const base = [{ peer: A, ppm: 500_000 }];

function context(log: string[]): CommitContext {
  // Nothing is held: a commit that passes the table check is then ignored for naming no contribution of its signer.
  const contributions = { round: () => new Map() } as unknown as ContributionStore;
  return { from: { theta: new Float32Array(4), momentum: new Float32Array(4) }, base: 'b'.repeat(64), reputation: base, round: 3, contributions, outer: DEFAULT_RUN_SPEC.outerOptimizer, aggregation: DEFAULT_RUN_SPEC.aggregation, log: (line) => log.push(line) };
}

const commit = (reputation: Commit['reputation']): Commit => ({ runId: 'a'.repeat(32), round: 3, committedAt: 1, baseHash: 'b'.repeat(64), accepted: [], rejected: [], modelHash: 'f'.repeat(64), reputation });

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
