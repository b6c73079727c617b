/**
 * What a leader commits is what every other peer's check recomputes: the commit made by lead() passes
 * verifyCommit against the same round, with the same model and the same reward table after it; a leader
 * whose own work was refused commits nothing.
 */
import { describe, expect, it } from 'vitest';
import type { ContributionStore, Held } from '../../../../worker/rounds/contributions.js';
import { lead, type LeadInput } from '../../../../worker/rounds/lead.js';
import { modelHash } from '../../../../worker/rounds/outer.js';
import { DEFAULT_RUN_SPEC } from '../../../../worker/rounds/run-spec.js';
import { verifyCommit } from '../../../../worker/rounds/verify.js';
import { rewardRoot } from '../../../../worker/rewards/merkle.js';

const RUN = 'a'.repeat(32);
const BASE = 'b'.repeat(64);
const SELF = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA';
const OTHER = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq';
const SIZE = 16;

const held = (n: number, peerId: string, refused?: Held['refused']): Held => ({
  header: { runId: RUN, round: 4, baseHash: BASE, rewardAddress: `0x${String(n).repeat(40)}`, samples: 160 * n, steps: 10, losses: {}, payloadHash: 'c'.repeat(64), payloadBytes: 10 },
  peerId,
  bytes: new Uint8Array(1),
  hash: String(n).repeat(64),
  payload: new Uint8Array(1),
  update: refused ? null : { size: SIZE, indices: Uint32Array.of(n, n + 3), values: Float32Array.of(0.1 * n, -0.05) },
  ...(refused ? { refused } : {}),
});

const mine = held(1, SELF);
const theirs = held(2, OTHER);
const scoredOut = held(3, OTHER);
const broken = held(4, OTHER, 'malformed');
const from = { theta: Float32Array.from({ length: SIZE }, (_, i) => i / 100), momentum: new Float32Array(SIZE) };
const totals = new Map([[`0x${'9'.repeat(40)}`, 5n]]);
const input: LeadInput = {
  runId: RUN,
  round: 4,
  from,
  base: BASE,
  self: SELF,
  verdicts: { accepted: [{ held: theirs, score: 0.8 }, { held: mine, score: 1 }], rejected: [{ held: scoredOut, reason: 'no-improvement' }] },
  refused: [broken],
  reputation: [{ peer: SELF, ppm: 600_000 }],
  totals,
  spec: DEFAULT_RUN_SPEC,
  now: 1_800_000_000_000,
};

describe('what a leader commits', () => {
  it("passes every other peer's check, which makes the same model and the same reward table", async () => {
    const made = lead(input);
    if (made.kind !== 'commit') throw new Error(made.why);
    const { commit, next } = made;
    expect(commit.accepted.map((a) => a.hash)).toEqual([mine.hash, theirs.hash]);
    expect(commit.rejected).toEqual([{ hash: scoredOut.hash, reason: 'no-improvement' }, { hash: broken.hash, reason: 'malformed' }]);
    expect(commit.modelHash).toBe(modelHash(next.theta, next.momentum));
    expect(commit.rewardRoot).toBe(rewardRoot(next.totals));
    expect(next.totals.get(`0x${'9'.repeat(40)}`)).toBe(5n);

    const contributions = { round: () => new Map([mine, theirs].map((c) => [c.hash, c])) } as unknown as ContributionStore;
    const context = { from, base: BASE, reputation: input.reputation, round: 4, contributions, outer: DEFAULT_RUN_SPEC.outerOptimizer, aggregation: DEFAULT_RUN_SPEC.aggregation, emission: DEFAULT_RUN_SPEC.rewards, totals, log: () => {} };
    const checked = await verifyCommit({ commit, signer: SELF }, context);
    expect(checked).not.toBeNull();
    expect(modelHash(checked!.theta, checked!.momentum)).toBe(commit.modelHash);
    expect(checked!.totals).toEqual(next.totals);
    expect(checked!.rewards).toEqual(next.rewards);
  });

  it("leaves the round to a fallback when its own contribution was refused", () => {
    const made = lead({ ...input, verdicts: { accepted: [{ held: theirs, score: 1 }], rejected: [{ held: mine, reason: 'copy' }] } });
    expect(made).toEqual({ kind: 'leave', why: 'our own contribution did not pass our checks' });
  });
});
