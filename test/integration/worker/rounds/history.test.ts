/**
 * Mending a fork's losing rounds between real peers on loopback, each with a real ledger file: a peer that
 * recorded rounds on the losing side asks another for the network's commits of those rounds, checks each
 * against the hash chain back from the state it synced, and rewrites its rows, credits included.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openLedger, type Ledger } from '../../../../worker/ledger/ledger.js';
import type { Peer } from '../../../../worker/p2p/peer.js';
import { request } from '../../../../worker/p2p/request.js';
import { DEFAULT_EMISSION } from '../../../../worker/rewards/emission.js';
import { roundCredits } from '../../../../worker/rewards/round-rewards.js';
import { openCommit, signCommit, type Commit } from '../../../../worker/rounds/commit.js';
import { COMMIT_PROTOCOL, fetchCommit, mendHistory, serveCommits, type SignedCommit } from '../../../../worker/rounds/history.js';
import type { Reputation } from '../../../../worker/verify/reputation.js';
import { loopbackPeers } from '../../../helpers/peers.js';

const RUN = 'd4'.repeat(16);
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');
const OWN_ADDRESS = `0x${'ab'.repeat(20)}`;
const same = (a: Uint8Array | null | undefined, b: Uint8Array) => !!a && Buffer.from(a).equals(Buffer.from(b));

interface World {
  key: PrivateKey;
  /** This peer (the one that mends) and another contributor. */
  me: string;
  other: string;
  ownHash: (round: number) => string;
  otherHash: (round: number) => string;
}

async function world(): Promise<World> {
  const key = await generateKeyPair('Ed25519');
  const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();
  return { key, me: peerIdFromPrivateKey(key).toString(), other, ownHash: (r) => hashOf(`own/${r}`), otherHash: (r) => hashOf(`other/${r}`) };
}

/** A signed commit of `round` from `base` to `model`, accepting `accepted` (peer, hash) with `reputation` after it. */
async function signed(w: World, round: number, base: string, model: string, accepted: Array<[string, string]>, reputation: Reputation): Promise<SignedCommit> {
  const commit: Commit = {
    runId: RUN,
    round,
    committedAt: 1_800_000_000_000 + round,
    baseHash: base,
    accepted: accepted.map(([peer, hash], i) => ({ hash, peer, samples: 160 * (i + 1), score: 0.5 })),
    rejected: [],
    modelHash: model,
    reputation: [...reputation].sort((a, b) => (a.peer < b.peer ? -1 : 1)),
    rewardRoot: `0x${'00'.repeat(32)}`,
  };
  const bytes = await signCommit(commit, w.key);
  return { ...(await openCommit(bytes)), bytes };
}

/** Records `round` in `ledger` as adopted with `c`: both contributions received, the commit with its bytes. */
function record(w: World, ledger: Ledger, c: SignedCommit): void {
  const { round } = c.commit;
  ledger.rounds.open(RUN, round, c.commit.baseHash, 1000 + round);
  for (const [hash, peerId, own] of [[w.ownHash(round), w.me, true], [w.otherHash(round), w.other, false]] as const) {
    ledger.rounds.recordContribution({ runId: RUN, round, hash, peerId, own, rewardAddress: own ? OWN_ADDRESS : null, samples: 160, steps: 10, losses: {}, payloadBytes: 1, receivedAt: 1000 + round });
  }
  ledger.rounds.recordCommit({
    runId: RUN,
    round,
    modelHash: c.commit.modelHash,
    committedBy: c.signer,
    accepted: c.commit.accepted.map(({ hash, score }) => ({ hash, score })),
    rejected: [],
    rewards: { emissionWei: '1', unallocatedWei: '0', credits: c.commit.accepted.map(({ hash }) => ({ hash, wei: '1' })) },
    closedAt: 2000 + round,
    signed: c.bytes,
  });
}

describe('mending the rounds recorded on a fork’s losing side', { timeout: 60_000 }, () => {
  const peers = loopbackPeers();
  const dirs: string[] = [];
  const ledgers: Ledger[] = [];
  const ledger = () => {
    const dir = mkdtempSync(join(tmpdir(), 'airtist-history-'));
    dirs.push(dir);
    const opened = openLedger(join(dir, 'ledger.sqlite'));
    ledgers.push(opened);
    return opened;
  };
  afterEach(() => {
    for (const l of ledgers.splice(0)) l.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => peers.stopAll());

  /**
   * Round 2 agreed on both sides. This peer then recorded its side's commits of rounds 3 and 4 (its own
   * contribution accepted in both) and closed round 5 without one; the network committed rounds 3' (the other
   * peer's only) and 4' (both), closed round 5 without a commit, and this peer synced its state of round 6.
   */
  async function fork(w: World) {
    const [me, other] = [w.me, w.other];
    const m2 = hashOf('model 2');
    const c2 = await signed(w, 2, hashOf('model 1'), m2, [[me, w.ownHash(2)]], [{ peer: me, ppm: 1_000 }, { peer: other, ppm: 1_000_000 }]);
    const x3 = await signed(w, 3, m2, hashOf('ours 3'), [[me, w.ownHash(3)]], [{ peer: me, ppm: 1_000_000 }]);
    const x4 = await signed(w, 4, x3.commit.modelHash, hashOf('ours 4'), [[me, w.ownHash(4)]], [{ peer: me, ppm: 1_000_000 }]);
    const n3 = await signed(w, 3, m2, hashOf('network 3'), [[other, w.otherHash(3)]], [{ peer: me, ppm: 500_000 }, { peer: other, ppm: 1_000_000 }]);
    const n4 = await signed(w, 4, n3.commit.modelHash, hashOf('network 4'), [[me, w.ownHash(4)], [other, w.otherHash(4)]], [{ peer: me, ppm: 600_000 }, { peer: other, ppm: 1_000_000 }]);

    const mine = ledger();
    for (const c of [c2, x3, x4]) record(w, mine, c);
    mine.rounds.open(RUN, 5, x4.commit.modelHash, 1005);
    const theirs = ledger();
    for (const c of [c2, n3, n4]) record(w, theirs, c);

    const server = await peers.start();
    const stats = serveCommits(server.libp2p, RUN, (round) => theirs.rounds.signedCommit(RUN, round), { timeoutMs: 5000 });
    const client = await peers.start();
    await client.dial(server.addresses()[0]!);
    return { c2, n3, n4, mine, server, client, stats };
  }

  const context = (mine: Ledger, client: Peer, server: Peer, stateCommit: SignedCommit, fetched: number[]) => ({
    runId: RUN,
    emission: DEFAULT_EMISSION,
    round: 6,
    modelHash: stateCommit.commit.modelHash,
    stateCommit,
    hashes: (r: number) => mine.rounds.hashes(RUN, r),
    signedCommit: (r: number) => mine.rounds.signedCommit(RUN, r),
    rewardAddresses: (r: number) => mine.rounds.rewardAddresses(RUN, r),
    fetch: (round: number, modelHash: string) => {
      fetched.push(round);
      return fetchCommit(client.libp2p, [peerIdFromString(server.peerId)], { runId: RUN, round, modelHash }, { timeoutMs: 5000 });
    },
  });

  it('rewrites each losing round as the network committed it, with the credits its commit makes', async () => {
    const w = await world();
    const { c2, n3, n4, mine, server, client } = await fork(w);
    const fetched: number[] = [];
    const rows = await mendHistory(context(mine, client, server, n4, fetched));
    // Round 4's commit came with the state, round 2's is this ledger's own: only round 3's was asked.
    expect(fetched).toEqual([3]);
    expect(rows.map((r) => [r.round, r.baseHash, r.commit?.modelHash ?? null])).toEqual([
      [3, c2.commit.modelHash, n3.commit.modelHash],
      [4, n3.commit.modelHash, n4.commit.modelHash],
      [5, n4.commit.modelHash, null],
    ]);
    mine.rounds.recordMend(rows);

    const history = mine.rounds.history(RUN, 10);
    expect(history.map((r) => [r.round, r.modelHash])).toEqual([
      [5, null],
      [4, n4.commit.modelHash],
      [3, n3.commit.modelHash],
      [2, c2.commit.modelHash],
    ]);
    expect(history[0]!.baseHash).toBe(n4.commit.modelHash);
    // Our round-3 contribution was accepted only on our side: the network's commit left it out.
    expect(mine.rounds.contributions(RUN, 3).map((c) => [c.own, c.status, c.reason])).toEqual([[true, 'rejected', 'not in the commit'], [false, 'accepted', null]]);
    expect(mine.rounds.contributions(RUN, 4).map((c) => [c.own, c.status])).toEqual([[true, 'accepted'], [false, 'accepted']]);
    // Round 4's credits are split with the reputation round 3 left (the network's), as every peer splits them.
    const expected = roundCredits(DEFAULT_EMISSION, n4.commit, new Map([[w.ownHash(4), OWN_ADDRESS], [w.otherHash(4), null]]), n3.commit.reputation);
    const ownWei = expected.credits.find((c) => c.hash === w.ownHash(4))!.wei;
    expect(ownWei).not.toBe(roundCredits(DEFAULT_EMISSION, n4.commit, new Map([[w.ownHash(4), OWN_ADDRESS]]), c2.commit.reputation).credits[0]!.wei);
    expect(rows[1]!.commit!.rewards!.credits.find((c) => c.hash === w.ownHash(4))!.wei).toBe(ownWei);
    expect(same(mine.rounds.signedCommit(RUN, 3), n3.bytes)).toBe(true);
  });

  it('stops at a round no peer holds a commit of on the chain, and leaves it as recorded', async () => {
    const w = await world();
    const { n4, mine, client } = await fork(w);
    // A peer on another fork: its round-3 commit is not the one round 4' started from.
    const liar = await peers.start();
    const ours = ledger();
    const x3 = await signed(w, 3, hashOf('model 2'), hashOf('another 3'), [[w.me, w.ownHash(3)]], [{ peer: w.me, ppm: 1_000_000 }]);
    record(w, ours, x3);
    serveCommits(liar.libp2p, RUN, (round) => ours.rounds.signedCommit(RUN, round), { timeoutMs: 5000 });
    await client.dial(liar.addresses()[0]!);
    const rows = await mendHistory(context(mine, client, liar, n4, []));
    expect(rows.map((r) => [r.round, r.commit?.modelHash ?? null])).toEqual([
      [4, n4.commit.modelHash],
      [5, null],
    ]);
    // Without the commit before round 4 on the chain, its credits are not guessed.
    expect(rows[0]!.commit!.rewards).toBeUndefined();
  });

  it('answers malformed and unknown requests with reasons, counts them, and goes on serving', async () => {
    const w = await world();
    const { c2, server, client, stats } = await fork(w);
    const id = peerIdFromString(server.peerId);
    await expect(request(client.libp2p, id, COMMIT_PROTOCOL, Uint8Array.of(7, 7), { timeoutMs: 5000, maxFrameBytes: 1 << 20 })).rejects.toThrow(/commit request|bytes/);
    expect(stats.failed.malformed).toBe(1);
    const ask = (runId: string, round: number, modelHash: string) => fetchCommit(client.libp2p, [id], { runId, round, modelHash }, { timeoutMs: 5000 });
    expect(await ask('ee'.repeat(16), 2, c2.commit.modelHash)).toBeNull();
    expect(await ask(RUN, 9, c2.commit.modelHash)).toBeNull();
    expect(same((await ask(RUN, 2, c2.commit.modelHash))?.bytes, c2.bytes)).toBe(true);
    expect(stats.served).toBe(1);
  });
});
