/**
 * The leader's pipeline over a round: the screen's refusals never reach the scorer, the scorer sees each
 * survivor's own assignment and one of the steps it trained, its gains decide the rest, and an adopted round
 * becomes the history that later rounds are judged by (a replayed payload is refused the round after).
 */
import { describe, expect, it } from 'vitest';
import type { SparseUpdate } from '../../../../worker/rounds/compress.js';
import type { Held } from '../../../../worker/rounds/contributions.js';
import type { ScoreRequest } from '../../../../worker/training/scoring.js';
import { RoundVerifier } from '../../../../worker/verify/round-verifier.js';

const RUN = 'ab'.repeat(16);
const BASE = 'cd'.repeat(32);
const SIZE = 1000;

function held(n: number, { round = 4, scale = 0.01, payloadHash = `${n}`.padStart(64, '0'), offset = n * 50 } = {}): Held {
  const indices = Uint32Array.from({ length: 40 }, (_, i) => (offset + i * 3) % SIZE).sort();
  const update: SparseUpdate = { size: SIZE, indices, values: Float32Array.from(indices, (_, i) => (i % 2 ? scale : -scale)) };
  const hash = `${n}`.padStart(64, 'f');
  const header = { runId: RUN, round, baseHash: BASE, rewardAddress: null, samples: 80, steps: 5, losses: {}, payloadHash, payloadBytes: 10 };
  return { header, peerId: `peer-${n}`, bytes: new Uint8Array(0), hash, payload: null, update };
}

function verifier(gainOf: (peerSeed: string) => number) {
  const requests: ScoreRequest[] = [];
  const v = new RoundVerifier({
    runId: RUN,
    batchSize: 16,
    maxInnerSteps: 5,
    shardCount: 8,
    assignment: (round, peer) => ({ shard: peer.length % 8, seed: `${round}/${peer}` }),
    score: async (request) => {
      requests.push(request);
      return request.candidates.map((c) => {
        const gain = gainOf(c.assignment.seed);
        return { assigned: { a: gain / 2, b: gain / 2 }, random: { a: gain / 2, b: gain / 2 } };
      });
    },
  });
  return { v, requests };
}

describe('verifying a round', () => {
  it('scores only what passes the screen, with each contributor’s own data, and judges by the gains', async () => {
    const { v, requests } = verifier((seed) => (seed.endsWith('peer-3') ? -0.1 : 0.5));
    const nan = held(5);
    nan.update!.values[0] = Number.NaN;
    const verdicts = await v.verify(4, BASE, new Float32Array(SIZE), [held(1), held(2), held(3), nan, held(6, { round: 3 })], () => 0);
    expect(verdicts.accepted.map((a) => [a.held.peerId, a.score])).toEqual([['peer-1', 1], ['peer-2', 1]]);
    expect(verdicts.rejected.map((r) => [r.held.peerId, r.reason]).sort()).toEqual([['peer-3', 'no-improvement'], ['peer-5', 'non-finite'], ['peer-6', 'wrong-round']]);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request!.candidates.map((c) => c.assignment.seed)).toEqual(['4/peer-1', '4/peer-2', '4/peer-3']);
    expect(request!.candidates.every((c) => Number.isInteger(c.step) && c.step >= 0 && c.step < 5)).toBe(true);
    expect(request!.seed).toBe(BASE);
  });

  it('does not call the scorer when nothing passes the screen', async () => {
    const { v, requests } = verifier(() => 1);
    const verdicts = await v.verify(4, BASE, new Float32Array(SIZE), [held(1, { round: 9 })], () => 0);
    expect(verdicts).toMatchObject({ accepted: [], rejected: [{ reason: 'wrong-round' }] });
    expect(requests).toHaveLength(0);
  });

  it('remembers an adopted round: its payload replayed in the next round is refused', async () => {
    const { v } = verifier(() => 0.5);
    const first = [held(1), held(2), held(3)];
    await v.verify(4, BASE, new Float32Array(SIZE), first, () => 0);
    v.remember(4, first);
    const replay = held(7, { round: 5, payloadHash: first[1]!.header.payloadHash, offset: 500 });
    const next = await v.verify(5, BASE, new Float32Array(SIZE), [held(8, { round: 5 }), held(9, { round: 5 }), replay], () => 0);
    expect(next.rejected.map((r) => [r.held.peerId, r.reason])).toEqual([['peer-7', 'replay']]);
  });
});
