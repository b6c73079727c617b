/**
 * The epoch's reward table as a Merkle tree a contract can check claims against: one leaf per address with
 * its cumulative total in wei since the run began, `(address, uint256)` ABI-encoded and hashed twice
 * (OpenZeppelin's standard tree; a claim pays the difference to what the address has already claimed, so
 * leaves are cumulative). Leaves are sorted by their hash, so the root depends on the table alone, not on
 * the order a ledger lists it: every honest peer computes the same root, byte for byte.
 */
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';

const ADDRESS = /^0x[0-9a-f]{40}$/;
const LEAF_ENCODING = ['address', 'uint256'];
/** The root of a table with nothing in it: nobody can claim against it. */
export const EMPTY_ROOT = `0x${'00'.repeat(32)}`;

export type RewardTotals = ReadonlyMap<string, bigint>;

function leaves(totals: RewardTotals): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [address, wei] of totals) {
    if (!ADDRESS.test(address)) throw new RangeError(`${JSON.stringify(address)} is not a lowercase 0x address`);
    if (wei < 0n) throw new RangeError(`${address}: a negative total`);
    if (wei > 0n) out.push([address, wei.toString()]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function tree(totals: RewardTotals): StandardMerkleTree<[string, string]> | null {
  const values = leaves(totals);
  return values.length === 0 ? null : StandardMerkleTree.of(values, LEAF_ENCODING);
}

/** The table's root (0x-hex, 32 bytes). */
export function rewardRoot(totals: RewardTotals): string {
  return tree(totals)?.root ?? EMPTY_ROOT;
}

/** What a claim of `address` sends the contract: its cumulative total and the proof of it; null if it has none. */
export function rewardProof(totals: RewardTotals, address: string): { root: string; amount: bigint; proof: string[] } | null {
  const wanted = address.toLowerCase();
  const built = tree(totals);
  if (!built) return null;
  for (const [index, [leafAddress, amount]] of built.entries()) {
    if (leafAddress.toLowerCase() === wanted) return { root: built.root, amount: BigInt(amount), proof: built.getProof(index) };
  }
  return null;
}

/** Checks a proof against a root the way the contract does (double-hashed leaf, sorted pairs). */
export function verifyRewardProof(root: string, address: string, amount: bigint, proof: string[]): boolean {
  try {
    return StandardMerkleTree.verify(root, LEAF_ENCODING, [address.toLowerCase(), amount.toString()], proof);
  } catch {
    return false;
  }
}
