/** The cheap checks before scoring: each cheat has its reason, honest updates pass, order changes nothing. */
import { describe, expect, it } from 'vitest';
import type { SparseUpdate } from '../../../../worker/rounds/compress.js';
import type { ContributionHeader } from '../../../../worker/rounds/contribution.js';
import { randomBelow, seededPrng } from '../../../../worker/training/data/prng.js';
import { agreement, overlap, screen, type Candidate, type ScreenContext } from '../../../../worker/verify/screen.js';

const SIZE = 10_000;
const context: ScreenContext = { runId: 'ab'.repeat(16), round: 7, baseHash: 'cd'.repeat(32), batchSize: 16, maxInnerSteps: 10, seenPayloads: new Set(['ee'.repeat(32)]), recentNorms: [] };

/** A sparse update of `count` random positions with values of about `scale`. */
function randomUpdate(seed: string, count = 200, scale = 0.01): SparseUpdate {
  const next = seededPrng(seed);
  const positions = new Set<number>();
  while (positions.size < count) positions.add(randomBelow(next, SIZE));
  const indices = Uint32Array.from([...positions].sort((a, b) => a - b));
  const values = Float32Array.from(indices, () => ((next() / 2 ** 32) * 2 - 1) * scale);
  return { size: SIZE, indices, values };
}

let n = 0;
function candidate(update: SparseUpdate, header: Partial<ContributionHeader> = {}, receivedAt = n): Candidate {
  n++;
  const hash = n.toString(16).padStart(64, '0');
  return {
    hash,
    peer: `peer-${n}`,
    receivedAt,
    update,
    header: { runId: context.runId, round: context.round, baseHash: context.baseHash, rewardAddress: null, samples: 160, steps: 10, losses: {}, payloadHash: hash, payloadBytes: 100, ...header },
  };
}
const honest = () => [candidate(randomUpdate('a')), candidate(randomUpdate('b')), candidate(randomUpdate('c'))];
const reasons = (candidates: Candidate[], ctx = context) => screen(candidates, ctx).map((v) => (v.accepted ? 'accepted' : v.reason));

/** Updates of peers that trained one model from one base: most kept positions and signs shared, each its own noise. */
function alike(count: number): SparseUpdate[] {
  const shared = randomUpdate('direction', 200);
  return Array.from({ length: count }, (_, k) => {
    const own = randomUpdate(`own-${k}`, 200);
    const values = new Map<number, number>();
    shared.indices.forEach((position, i) => i % 10 < 6 && values.set(position, shared.values[i]! * (1 + (((i * 7 + k) % 5) - 2) / 10)));
    own.indices.forEach((position, i) => values.size < 200 && !values.has(position) && values.set(position, own.values[i]!));
    const indices = Uint32Array.from([...values.keys()].sort((a, b) => a - b));
    return { size: SIZE, indices, values: Float32Array.from(indices, (position) => values.get(position)!) };
  });
}

describe('screening contributions', () => {
  it('refuses an update that points nowhere (noise) or against the others (a sign flip), with three or more others to judge by', () => {
    const peers = alike(4);
    expect(agreement(peers[0]!, peers[1]!)).toBeGreaterThan(0.4);
    const noise = randomUpdate('noise', 200);
    const flipped = { ...peers[0]!, values: peers[0]!.values.map((v) => -v) };
    expect(agreement(peers[0]!, flipped)).toBe(-1);
    const all = [...peers.map((u) => candidate(u)), candidate(noise), candidate(flipped)];
    expect(reasons(all)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'direction', 'direction']);
    // Three honest beside two cheats: the honest still agree with half of the others.
    expect(reasons([...peers.slice(0, 3).map((u) => candidate(u)), candidate(noise), candidate(flipped)])).toEqual(['accepted', 'accepted', 'accepted', 'direction', 'direction']);
    // As many cheats as honest: no direction is typical, so the check abstains and scoring decides.
    expect(reasons([...peers.slice(0, 2).map((u) => candidate(u)), candidate(noise), candidate(flipped)])).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    // Three in all is too few to say who is odd; independent updates share no direction: nobody is judged.
    expect(reasons([candidate(peers[0]!), candidate(peers[1]!), candidate(noise)])).toEqual(['accepted', 'accepted', 'accepted']);
    expect(reasons([...honest(), candidate(randomUpdate('d'))])).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
  });

  it('accepts independent honest updates', () => {
    expect(reasons(honest())).toEqual(['accepted', 'accepted', 'accepted']);
  });

  it('refuses another run, round or base', () => {
    const wrong = [candidate(randomUpdate('x'), { runId: 'ff'.repeat(16) }), candidate(randomUpdate('y'), { round: 6 }), candidate(randomUpdate('z'), { baseHash: '00'.repeat(32) })];
    expect(reasons([...honest(), ...wrong]).slice(3)).toEqual(['wrong-run', 'wrong-round', 'wrong-base']);
  });

  it('refuses NaN and infinities', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const update = randomUpdate('nan');
      update.values[17] = bad;
      expect(reasons([...honest(), candidate(update)])[3]).toBe('non-finite');
    }
  });

  it('refuses claims that do not add up: samples ≠ steps × batch, or more steps than the round allows', () => {
    const claims = [candidate(randomUpdate('s1'), { samples: 1600 }), candidate(randomUpdate('s2'), { steps: 11, samples: 176 }), candidate(randomUpdate('s3'), { steps: 0, samples: 0 })];
    expect(reasons([...honest(), ...claims]).slice(3)).toEqual(['samples', 'samples', 'samples']);
  });

  it("refuses an update far smaller than the steps it claims (a free rider), not one that claims fewer steps, nor a newcomer's first", () => {
    const freerider = candidate(randomUpdate('free', 200, 0.001));
    const fewer = candidate(randomUpdate('few', 200, 0.006), { steps: 3, samples: 48 });
    // No error feedback behind it yet: a quarter of the others' size.
    const newcomer = candidate(randomUpdate('new', 200, 0.0025));
    expect(reasons([...honest(), freerider, fewer]).slice(3)).toEqual(['samples', 'accepted']);
    expect(reasons([...honest(), newcomer])[3]).toBe('accepted');
  });

  it('refuses a payload seen in an earlier round, and the second of two equal payloads in this one', () => {
    const replayed = candidate(randomUpdate('r'), { payloadHash: 'ee'.repeat(32) });
    const first = candidate(randomUpdate('t'), { payloadHash: '12'.repeat(32) }, 100);
    const again = candidate(randomUpdate('t'), { payloadHash: '12'.repeat(32) }, 200);
    expect(reasons([...honest(), replayed, again, first]).slice(3)).toEqual(['replay', 'replay', 'accepted']);
  });

  it('refuses a zero or near-zero update', () => {
    const empty: SparseUpdate = { size: SIZE, indices: new Uint32Array(0), values: new Float32Array(0) };
    expect(reasons([...honest(), candidate(empty), candidate(randomUpdate('tiny', 200, 1e-6))]).slice(3)).toEqual(['zero', 'zero']);
  });

  it('refuses a norm far outside the round, and the history keeps a lone big update from setting the scale', () => {
    expect(reasons([...honest(), candidate(randomUpdate('big', 200, 0.5))])[3]).toBe('norm');
    // A newcomer's first update (a third of the others' size) × 20: over 6 times the round's; twice theirs passes.
    expect(reasons([...honest(), candidate(randomUpdate('newcomer', 200, 0.01 * (20 / 3)))])[3]).toBe('norm');
    expect(reasons([...honest(), candidate(randomUpdate('held back', 200, 0.02))])[3]).toBe('accepted');
    // Two peers, one scaled 100×: the lower median is the honest one's, so it is not judged small beside it.
    const pair = [candidate(randomUpdate('p')), candidate(randomUpdate('q', 200, 1))];
    expect(reasons(pair)).toEqual(['accepted', 'norm']);
    // Three, two of them scaled alike: recent rounds' norms keep the scale where honest updates put it.
    const trio = [...pair, candidate(randomUpdate('r', 200, 1))];
    expect(reasons(trio)).toEqual(['zero', 'accepted', 'accepted']);
    const norms = [0.08, 0.082, 0.079, 0.081];
    expect(reasons(trio, { ...context, recentNorms: norms })).toEqual(['accepted', 'norm', 'norm']);
  });

  it('refuses a copy (same positions, same signs), even with noise on it: the later arrival loses', () => {
    const original = randomUpdate('orig');
    const noisy = { ...original, values: original.values.map((v, i) => v * (1 + ((i % 7) - 3) / 10)) };
    const early = candidate(original, {}, 10);
    const late = candidate(noisy, {}, 20);
    expect(reasons([late, early, ...honest()]).slice(0, 2)).toEqual(['copy', 'accepted']);
    // Half the positions shared with the same signs is what honest peers share later in training: no copy.
    const half = { ...original, values: original.values.map((v, i) => (i % 2 ? v : -v)) };
    expect(overlap(original, half)).toBeCloseTo(0.5, 1);
    expect(reasons([candidate(original, {}, 10), candidate(half, {}, 20), ...honest()]).slice(0, 2)).toEqual(['accepted', 'accepted']);
    // A sign-flipped copy points the other way: it is not credited as a copy here (scoring catches it).
    expect(overlap(original, { ...original, values: original.values.map((v) => -v) })).toBe(0);
    expect(overlap(original, noisy)).toBe(1);
  });

  it('refuses a copy of a contribution that was itself refused (a copy of a replay is no work either)', () => {
    const replayed = randomUpdate('replayed');
    const replay = candidate(replayed, { payloadHash: 'ee'.repeat(32) }, 10);
    const copy = candidate({ ...replayed, values: replayed.values.map((v) => v * 1.001) }, {}, 20);
    expect(reasons([replay, copy, ...honest()]).slice(0, 2)).toEqual(['replay', 'copy']);
  });

  it('gives the same verdicts whatever the order the candidates come in', () => {
    const all = [...honest(), candidate(randomUpdate('big2', 200, 0.5)), candidate(randomUpdate('orig')), candidate(randomUpdate('orig'))];
    const forward = new Map(screen(all, context).map((v) => [v.hash, v]));
    const backward = new Map(screen([...all].reverse(), context).map((v) => [v.hash, v]));
    expect([...backward.keys()].sort().map((h) => backward.get(h))).toEqual([...forward.keys()].sort().map((h) => forward.get(h)));
  });
});
