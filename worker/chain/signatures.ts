/**
 * What validators sign for the mining contract (contracts/AirtMining.sol): an epoch's root, and a change of the
 * validator set, as EIP-712 typed data bound to the chain id and the contract's address, so a signature is good
 * on that one deployment only. The contract wants a threshold of them, each signer once, ascending by address:
 * `ordered` sorts what was collected.
 */
import { getAddress, verifyTypedData, type TypedDataDomain, type TypedDataField, type Signer } from 'ethers';

export interface EpochRoot {
  epoch: bigint | number;
  /** 0x and 64 hex digits. */
  root: string;
  /** Wei: the sum of the root's cumulative totals. */
  epochTotal: bigint;
}

export interface ValidatorSet {
  validators: string[];
  threshold: bigint | number;
  nonce: bigint | number;
}

export const EPOCH_ROOT_TYPES: Record<string, TypedDataField[]> = {
  EpochRoot: [
    { name: 'epoch', type: 'uint256' },
    { name: 'root', type: 'bytes32' },
    { name: 'epochTotal', type: 'uint256' },
  ],
};

export const VALIDATOR_SET_TYPES: Record<string, TypedDataField[]> = {
  ValidatorSet: [
    { name: 'validators', type: 'address[]' },
    { name: 'threshold', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
  ],
};

export function miningDomain(chainId: bigint | number, mining: string): TypedDataDomain {
  return { name: 'AirtMining', version: '1', chainId, verifyingContract: getAddress(mining) };
}

export interface Signature {
  signer: string;
  signature: string;
}

export async function signEpochRoot(signer: Signer, domain: TypedDataDomain, value: EpochRoot): Promise<Signature> {
  return { signer: getAddress(await signer.getAddress()), signature: await signer.signTypedData(domain, EPOCH_ROOT_TYPES, value) };
}

export async function signValidatorSet(signer: Signer, domain: TypedDataDomain, value: ValidatorSet): Promise<Signature> {
  return { signer: getAddress(await signer.getAddress()), signature: await signer.signTypedData(domain, VALIDATOR_SET_TYPES, value) };
}

/** Who signed `value` under `domain`: what the contract recovers. */
export function epochRootSigner(domain: TypedDataDomain, value: EpochRoot, signature: string): string {
  return verifyTypedData(domain, EPOCH_ROOT_TYPES, value, signature);
}

/** The signatures as the contract takes them: one per signer, ascending by address. */
export function ordered(signatures: readonly Signature[]): string[] {
  const bySigner = new Map(signatures.map((s) => [getAddress(s.signer), s.signature]));
  return [...bySigner].sort(([a], [b]) => (BigInt(a) < BigInt(b) ? -1 : 1)).map(([, signature]) => signature);
}
