/**
 * The validators' root signatures as gossip carries them: one strict 162-byte encoding, and the collector's
 * checks — the chain and contract, a signer recovered from the signature and in the validator set, stale
 * and repeated messages — and a root ready to post only with a threshold of signatures of that very root.
 */
import { Wallet, getAddress } from 'ethers';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../worker/p2p/codec.js';
import { ROOT_SIGNATURE_BYTES, RootCollector, decodeRootSignature, encodeRootSignature, type RootSignature } from '../../../../worker/chain/root-signatures.js';
import { miningDomain, signEpochRoot } from '../../../../worker/chain/signatures.js';

const CHAIN_ID = 0x41495254;
const MINING = getAddress('0x8ba1f109551bd432803012645ac136ddd64dba72');
const domain = miningDomain(CHAIN_ID, MINING);
const validators = [Wallet.createRandom(), Wallet.createRandom(), Wallet.createRandom()];
const outsider = Wallet.createRandom();
const ROOT = `0x${'ab'.repeat(32)}`;
const OTHER_ROOT = `0x${'cd'.repeat(32)}`;
const TOTAL = 10n ** 21n;

async function signed(wallet: { signTypedData: Wallet['signTypedData']; getAddress(): Promise<string> }, epoch = 3, root = ROOT, epochTotal = TOTAL, on = domain): Promise<RootSignature> {
  const { signature } = await signEpochRoot(wallet as Wallet, on, { epoch, root, epochTotal });
  return { chainId: Number(on.chainId), mining: on.verifyingContract as string, epoch, root, epochTotal, signature };
}

const collector = () => new RootCollector(domain, new Set(validators.map((v) => v.address)), 2);

describe('root signatures', () => {
  it('encode to exactly 162 bytes and decode to the same message', async () => {
    const message = await signed(validators[0]!);
    const bytes = encodeRootSignature(message);
    expect(bytes.length).toBe(ROOT_SIGNATURE_BYTES);
    expect(decodeRootSignature(bytes)).toEqual(message);
  });

  it('refuse a truncated, padded, versioned-otherwise or zero-chain message', async () => {
    const bytes = encodeRootSignature(await signed(validators[0]!));
    expect(() => decodeRootSignature(bytes.subarray(0, -1))).toThrow(CodecError);
    expect(() => decodeRootSignature(Buffer.concat([bytes, Buffer.from([0])]))).toThrow(CodecError);
    const otherVersion = Buffer.from(bytes);
    otherVersion[0] = 2;
    expect(() => decodeRootSignature(otherVersion)).toThrow(/version 2/);
    const zeroChain = Buffer.from(bytes);
    zeroChain.fill(0, 1, 9);
    expect(() => decodeRootSignature(zeroChain)).toThrow(/chain id/);
  });

  it('accept a validator once, ignore it again, and reject outsiders, forgeries and other deployments', async () => {
    const c = collector();
    const first = await signed(validators[0]!);
    expect(c.add(first)).toEqual({ outcome: 'accept', signer: validators[0]!.address });
    expect(c.add(first)).toMatchObject({ outcome: 'ignore', reason: 'duplicate' });
    expect(c.add(await signed(outsider))).toMatchObject({ outcome: 'reject', reason: 'not-validator' });
    // A validator's signature with another root put under it recovers to someone else: not a validator.
    expect(c.add({ ...(await signed(validators[1]!)), root: OTHER_ROOT })).toMatchObject({ outcome: 'reject', reason: 'not-validator' });
    expect(c.add({ ...(await signed(validators[1]!)), signature: `0x${'00'.repeat(65)}` })).toMatchObject({ outcome: 'reject', reason: 'bad-signature' });
    const elsewhere = miningDomain(CHAIN_ID + 1, MINING);
    expect(c.add(await signed(validators[1]!, 3, ROOT, TOTAL, elsewhere))).toMatchObject({ outcome: 'reject', reason: 'other-chain' });
  });

  it('are ready to post with a threshold of signatures of that root and total only, in ascending order', async () => {
    const c = collector();
    const first = await signed(validators[0]!);
    c.add(first);
    expect(c.ready(3, ROOT, TOTAL)).toBeNull();
    // A second validator signing another root or total does not make the first one ready.
    c.add(await signed(validators[1]!, 3, OTHER_ROOT));
    c.add(await signed(validators[1]!, 3, ROOT, TOTAL + 1n));
    expect(c.ready(3, ROOT, TOTAL)).toBeNull();
    const second = await signed(validators[2]!);
    c.add(second);
    const ascending = [
      { address: validators[0]!.address, signature: first.signature },
      { address: validators[2]!.address, signature: second.signature },
    ].sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1));
    expect(c.ready(3, ROOT, TOTAL)).toEqual(ascending.map((s) => s.signature));
    expect(c.ready(4, ROOT, TOTAL)).toBeNull();
  });

  it('drop an epoch once it is on chain and ignore late signatures of it', async () => {
    const c = collector();
    c.add(await signed(validators[0]!));
    c.add(await signed(validators[1]!));
    expect(c.ready(3, ROOT, TOTAL)).not.toBeNull();
    c.setPosted(3);
    expect(c.ready(3, ROOT, TOTAL)).toBeNull();
    expect(c.add(await signed(validators[2]!))).toMatchObject({ outcome: 'ignore', reason: 'stale' });
    expect(c.add(await signed(validators[2]!, 4))).toMatchObject({ outcome: 'accept' });
  });

  it('follow a new validator set: a removed validator no longer counts', async () => {
    const c = collector();
    c.add(await signed(validators[0]!));
    c.add(await signed(validators[1]!));
    c.setValidators([validators[1]!.address, validators[2]!.address], 2);
    expect(c.ready(3, ROOT, TOTAL)).toBeNull();
    expect(c.add(await signed(validators[0]!, 4))).toMatchObject({ outcome: 'reject', reason: 'not-validator' });
  });
});
