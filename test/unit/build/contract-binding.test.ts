/** The typed bindings the contract build writes: each ABI function typed as ethers takes and returns it. */
import { describe, expect, it } from 'vitest';
import { bindingSource, type AbiItem } from '../../../build/contract-binding.js';

const abi: AbiItem[] = [
  { type: 'function', name: 'claim', stateMutability: 'nonpayable', inputs: [{ name: 'account', type: 'address' }, { name: 'cumulativeAmount', type: 'uint256' }, { name: 'proof', type: 'bytes32[]' }], outputs: [{ name: 'amount', type: 'uint256' }] },
  { type: 'function', name: 'claimed', stateMutability: 'view', inputs: [{ name: '', type: 'address' }], outputs: [{ name: '', type: 'uint256' }] },
  { type: 'function', name: 'posted', stateMutability: 'view', inputs: [], outputs: [{ name: '', type: 'bool' }] },
  { type: 'error', name: 'NoRoot', inputs: [] },
];

describe('contract bindings', () => {
  it('types a transaction as sent and a view as returned, arguments as ethers accepts them', () => {
    const source = bindingSource('Mining', abi, '0x6080');
    expect(source).toContain("claim: BaseContractMethod<[account: string, cumulativeAmount: bigint | number, proof: Array<string>], bigint, ContractTransactionResponse>;");
    expect(source).toContain('claimed: BaseContractMethod<[arg0: string], bigint, bigint>;');
    expect(source).toContain('posted: BaseContractMethod<[], boolean, boolean>;');
    expect(source).toContain("export const MiningBytecode = '0x6080';");
    expect(source).toContain('export function miningAt(address: string, runner: ContractRunner | null): Mining {');
    expect(source).toContain('"name":"NoRoot"'); // errors stay in the ABI, so reverts decode by name
  });

  it('refuses what it cannot type rather than typing it loosely', () => {
    const tuple: AbiItem = { type: 'function', name: 'f', stateMutability: 'view', inputs: [{ name: 't', type: 'tuple', components: [] }], outputs: [] };
    expect(() => bindingSource('X', [tuple], '0x')).toThrow(/does not know ABI type tuple/);
    const overloaded: AbiItem[] = [abi[1]!, { ...abi[1]!, inputs: [] }];
    expect(() => bindingSource('X', overloaded, '0x')).toThrow(/overloaded/);
  });
});
