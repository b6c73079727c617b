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

function verifier(gainOf: (peerSeed: string) => number, budget?: number) {
  const requests: ScoreRequest[] = [];
  const v = new RoundVerifier({
    budget,
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

  it('follows the scale of the last rounds: a fourfold fall in gains refuses nobody, and norms that fell tenfold are refused for a round, not for ever', async () => {
    let gain = 2;
    const { v } = verifier(() => gain);
    const round = async (r: number, scale: number, remember = true) => {
      const peers = [1, 2, 3, 4, 5].map((n) => held(n, { round: r, scale, payloadHash: `${r}/${n}`.padStart(64, '0') }));
      const verdicts = await v.verify(r, BASE, new Float32Array(SIZE), peers, () => 0);
      if (remember) v.remember(r, verdicts.accepted.map((a) => a.held));
      return verdicts.rejected.map((x) => x.reason);
    };
    for (let r = 0; r < 4; r++) expect(await round(r, 0.04)).toEqual([]);
    // Gains four times smaller, norms 2.5 times: within what the history allows.
    gain = 0.5;
    expect(await round(4, 0.016, false)).toEqual([]);
    // Norms ten times smaller look like free riders beside the last rounds' …
    expect(await round(4, 0.004)).toEqual(['samples', 'samples', 'samples', 'samples', 'samples']);
    // … but the refused are not the scale: as the old rounds leave the window, the new scale is accepted.
    expect(await round(5, 0.004)).toEqual([]);
  });

  it('past its budget scores a sample: a reputed cheat not drawn rides on its record, a drawn one is refused', async () => {
    // Every contribution from peer-3 gains nothing; the others help.
    const { v, requests } = verifier((seed) => (seed.endsWith('peer-3') ? -1 : 0.5), 2);
    const reputation = [1, 2, 3, 4].map((n) => ({ peer: `peer-${n}`, ppm: 900_000 }));
    const peers = [1, 2, 3, 4, 5].map((n) => held(n));
    const verdicts = await v.verify(4, BASE, new Float32Array(SIZE), peers, () => 0, reputation);
    // The newcomer peer-5 is scored first; one reputed peer is drawn; two ride on their record.
    expect(requests[0]!.candidates).toHaveLength(2);
    const scored = requests[0]!.candidates.map((c) => c.assignment.seed.split('/')[1]);
    expect(scored).toContain('peer-5');
    const accepted = new Map(verdicts.accepted.map((a) => [a.held.peerId, a.score]));
    for (const peer of ['peer-1', 'peer-2', 'peer-3', 'peer-4'].filter((p) => !scored.includes(p))) expect(accepted.get(peer)).toBe(0.9);
    if (scored.includes('peer-3')) expect(verdicts.rejected.map((r) => [r.held.peerId, r.reason])).toEqual([['peer-3', 'no-improvement']]);
    // Over enough bases, the cheat is drawn and refused.
    let caught = 0;
    for (let b = 0; b < 12; b++) {
      const base = `${b}`.repeat(64).slice(0, 64);
      const round = await v.verify(4, base, new Float32Array(SIZE), peers.map((c) => ({ ...c, header: { ...c.header, baseHash: base } })), () => 0, reputation);
      if (round.rejected.some((r) => r.held.peerId === 'peer-3')) caught++;
    }
    expect(caught).toBeGreaterThan(0);
  });
});
