/** The epoch's reward root: the same for the same table in any order, with proofs the contract can check. */
import { describe, expect, it } from 'vitest';
import { EMPTY_ROOT, rewardProof, rewardRoot, verifyRewardProof } from '../../../../worker/rewards/merkle.js';

const address = (i: number) => `0x${(i * 7919).toString(16).padStart(40, 'a')}`;
const table = (n: number) => new Map(Array.from({ length: n }, (_, i) => [address(i), BigInt(i + 1) * 10n ** 18n + 1n] as const));

describe('the reward Merkle tree', () => {
  it('has one root for one table, whatever the order of its entries', () => {
    const entries = [...table(9)];
    const forward = rewardRoot(new Map(entries));
    expect(rewardRoot(new Map(entries.reverse()))).toBe(forward);
    expect(forward).toMatch(/^0x[0-9a-f]{64}$/);
  });

  it('changes when one wei of one total changes, and ignores zero totals', () => {
    const base = table(5);
    const root = rewardRoot(base);
    const bumped = new Map(base);
    bumped.set(address(2), base.get(address(2))! + 1n);
    expect(rewardRoot(bumped)).not.toBe(root);
    expect(rewardRoot(new Map([...base, [address(99), 0n]]))).toBe(root);
  });

  it('matches the standard double-hashed leaf of (address, uint256) for a one-leaf table', async () => {
    // keccak256(bytes.concat(keccak256(abi.encode(account, amount)))), as OpenZeppelin's MerkleProof expects.
    const { keccak256 } = await import('ethereum-cryptography/keccak.js');
    const account = address(1);
    const amount = 123n;
    const encoded = new Uint8Array(64);
    encoded.set(Buffer.from(account.slice(2), 'hex'), 12);
    encoded.set(Buffer.from(amount.toString(16).padStart(64, '0'), 'hex'), 32);
    const leaf = `0x${Buffer.from(keccak256(keccak256(encoded))).toString('hex')}`;
    expect(rewardRoot(new Map([[account, amount]]))).toBe(leaf);
  });

  it("proves each address's cumulative total and nothing else", () => {
    const totals = table(12);
    const root = rewardRoot(totals);
    for (const [account, amount] of totals) {
      const proof = rewardProof(totals, account.toUpperCase().replace('0X', '0x'))!;
      expect(proof.root).toBe(root);
      expect(proof.amount).toBe(amount);
      expect(verifyRewardProof(root, account, amount, proof.proof)).toBe(true);
      expect(verifyRewardProof(root, account, amount + 1n, proof.proof)).toBe(false);
    }
    expect(rewardProof(totals, address(500))).toBeNull();
  });

  it('an empty table has the zero root and no proofs; a bad address or a negative total is refused', () => {
    expect(rewardRoot(new Map())).toBe(EMPTY_ROOT);
    expect(rewardProof(new Map(), address(1))).toBeNull();
    expect(() => rewardRoot(new Map([['0x1234', 1n]]))).toThrow(RangeError);
    expect(() => rewardRoot(new Map([[address(1), -1n]]))).toThrow(RangeError);
  });
});
