import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../worker/p2p/codec.js';
import { openCommit, signCommit, type Commit } from '../../../../worker/rounds/commit.js';
import { signContribution } from '../../../../worker/rounds/contribution.js';

const commit: Commit = {
  runId: 'a'.repeat(32),
  round: 12,
  committedAt: 1_796_000_000_123,
  baseHash: 'b'.repeat(64),
  accepted: [
    { hash: '1'.repeat(64), peer: '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA', samples: 6400, score: 0.031 },
    { hash: '2'.repeat(64), peer: '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq', samples: 3200, score: -0.5 },
  ],
  rejected: [
    { hash: '3'.repeat(64), reason: 'copy' },
    { hash: '4'.repeat(64), reason: 'no-improvement' },
  ],
  modelHash: 'f'.repeat(64),
  reputation: [
    { peer: '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA', ppm: 1_000_000 },
    { peer: '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq', ppm: 1_000 },
  ],
  rewardRoot: `0x${'e7'.repeat(32)}`,
};

describe('round commits', () => {
  it('round-trip, with the signer derived from the key', async () => {
    const key = await generateKeyPair('Ed25519');
    expect(await openCommit(await signCommit(commit, key))).toEqual({ commit, signer: peerIdFromPrivateKey(key).toString() });
    const empty = await openCommit(await signCommit({ ...commit, accepted: [], reputation: [] }, key));
    expect(empty.commit.accepted).toEqual([]); // a round nobody contributed to keeps the weights
  });

  it('refuses a changed byte, a contribution accepted twice, and a contribution header passed off as a commit', async () => {
    const key = await generateKeyPair('Ed25519');
    const bytes = await signCommit(commit, key);
    for (const at of [1, 17, bytes.length - 65, bytes.length - 1]) {
      const tampered = Uint8Array.from(bytes);
      tampered[at]! ^= 0x80;
      await expect(openCommit(tampered)).rejects.toBeInstanceOf(CodecError);
    }
    await expect(signCommit({ ...commit, accepted: [commit.accepted[0]!, commit.accepted[0]!] }, key)).rejects.toThrow(/accepted twice/);
    await expect(signCommit({ ...commit, accepted: [{ ...commit.accepted[0]!, peer: 'not-a-peer' }] }, key)).rejects.toThrow(/not a peer id/);
    await expect(signCommit({ ...commit, committedAt: 1.5 }, key)).rejects.toThrow(/committedAt/);
    await expect(signCommit({ ...commit, rejected: [{ hash: commit.accepted[1]!.hash, reason: 'zero' }] }, key)).rejects.toThrow(/both accepted and rejected/);
    await expect(signCommit({ ...commit, rejected: [{ hash: '5'.repeat(64), reason: 'lazy' as never }] }, key)).rejects.toThrow(/not a rejection reason/);
    // A reputation table in order, each peer once, each value within the table's range.
    const [first, second] = commit.reputation;
    await expect(signCommit({ ...commit, reputation: [second!, first!] }, key)).rejects.toThrow(/must ascend/);
    await expect(signCommit({ ...commit, reputation: [first!, first!] }, key)).rejects.toThrow(/must ascend/);
    await expect(signCommit({ ...commit, reputation: [{ ...first!, ppm: 1_000_001 }] }, key)).rejects.toThrow(/is not 1000\.\.1000000/);
    await expect(signCommit({ ...commit, reputation: [{ ...first!, ppm: 999 }] }, key)).rejects.toThrow(/is not 1000/);
    for (const rewardRoot of ['e7'.repeat(32), `0x${'E7'.repeat(32)}`, `0x${'e7'.repeat(31)}`]) {
      await expect(signCommit({ ...commit, rewardRoot }, key)).rejects.toThrow(/rewardRoot must be 0x and 64/);
    }
    const header = await signContribution(
      { runId: commit.runId, round: 12, baseHash: commit.baseHash, rewardAddress: null, samples: 1, steps: 1, losses: { generator: 1 }, payloadHash: 'c'.repeat(64), payloadBytes: 1 },
      key,
    );
    await expect(openCommit(header)).rejects.toBeInstanceOf(CodecError); // another domain: its signature does not carry over
  });

  it('refuses an absurd count before reading or allocating anything', async () => {
    const bytes = Uint8Array.from(await signCommit(commit, await generateKeyPair('Ed25519')));
    const countAt = 1 + 16 + 4 + 8 + 32 + 4 + 36; // after the public key (Ed25519 protobuf: 36 bytes)
    new DataView(bytes.buffer).setUint32(countAt, 0xffffffff, true);
    await expect(openCommit(bytes)).rejects.toThrow(/accepted: 4294967295 is over the limit of 4096/);
  });

});
