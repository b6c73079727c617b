import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../worker/p2p/codec.js';
import { openContribution, signContribution, type ContributionHeader } from '../../../../worker/rounds/contribution.js';

const header: ContributionHeader = {
  runId: 'a'.repeat(32),
  round: 41,
  baseHash: 'b'.repeat(64),
  rewardAddress: '0x' + '12'.repeat(20),
  samples: 6400,
  steps: 100,
  losses: { discriminator: 1.25, generator: 0.8125 },
  payloadHash: 'c'.repeat(64),
  payloadBytes: 29_733,
};

describe('contribution headers', () => {
  it('round-trip every field, with the peer id derived from the signing key', async () => {
    const key = await generateKeyPair('Ed25519');
    const opened = await openContribution(await signContribution(header, key));
    expect(opened).toEqual({ header, peerId: peerIdFromPrivateKey(key).toString() });
    const anonymous = await openContribution(await signContribution({ ...header, rewardAddress: null, losses: { cross_entropy: 2.5 } }, key));
    expect(anonymous.header).toMatchObject({ rewardAddress: null, losses: { cross_entropy: 2.5 } });
  });

  it('refuses any changed byte: the signature covers every field, the reward address included', async () => {
    const bytes = await signContribution(header, await generateKeyPair('Ed25519'));
    const addressAt = Buffer.from(bytes).indexOf(Buffer.from('12'.repeat(20), 'hex'));
    expect(addressAt).toBeGreaterThan(0);
    for (const at of [1, 20, addressAt, addressAt + 19, bytes.length - 70, bytes.length - 1]) {
      const tampered = Uint8Array.from(bytes);
      tampered[at]! ^= 0x01;
      await expect(openContribution(tampered)).rejects.toBeInstanceOf(CodecError);
    }
  });

  it("refuses another peer's signature over the same header", async () => {
    const [mine, theirs] = [await generateKeyPair('Ed25519'), await generateKeyPair('Ed25519')];
    const bytes = Uint8Array.from(await signContribution(header, mine));
    const other = await signContribution(header, theirs);
    bytes.set(other.subarray(other.length - 64), bytes.length - 64); // my header, their signature
    await expect(openContribution(bytes)).rejects.toThrow(/bad signature/);
  });

  it.each<[string, (b: Uint8Array) => Uint8Array, RegExp]>([
    ['an empty message', () => new Uint8Array(0), /too short/],
    ['a truncated message', (b) => b.subarray(0, 80), /left|too short/],
    ['trailing bytes before the signature', (b) => Buffer.concat([b.subarray(0, b.length - 64), Buffer.from([0]), b.subarray(b.length - 64)]), /unexpected bytes/],
    ['another format', (b) => ((b[0] = 7), b), /unknown contribution format/],
  ])('refuses %s', async (_, damage, message) => {
    const bytes = Uint8Array.from(await signContribution(header, await generateKeyPair('Ed25519')));
    await expect(openContribution(damage(bytes))).rejects.toThrow(message);
  });

  it('will not sign a header it could not open again', async () => {
    const key = await generateKeyPair('Ed25519');
    await expect(signContribution({ ...header, runId: 'xyz' }, key)).rejects.toThrow(/runId must be 32 lowercase hex/);
    await expect(signContribution({ ...header, losses: { 'Bad Name': 1 } }, key)).rejects.toThrow(/bad loss/);
    await expect(signContribution({ ...header, losses: { generator: Number.NaN } }, key)).rejects.toThrow(/bad loss/);
  });
});
