/**
 * Deploys the mining contract, which deploys its token (AirtToken's minter is AirtMining, fixed at creation:
 * nobody else can ever mint). The schedule comes from the run's emission, so the contract allows exactly what
 * the nodes credit (worker/rewards/emission.ts).
 */
import { getAddress, type ContractTransactionReceipt, type Signer } from 'ethers';
import type { Emission } from '../rewards/emission.js';
import { airtMiningAt, airtMiningFactory, type AirtMining } from './generated/AirtMining.js';
import { airtTokenAt, type AirtToken } from './generated/AirtToken.js';

export interface MiningContracts {
  mining: AirtMining;
  token: AirtToken;
  miningAddress: string;
  tokenAddress: string;
}

export interface MiningDeployment extends MiningContracts {
  /** The deploying transaction's receipt (its gas, its block). */
  receipt: ContractTransactionReceipt;
}

export interface MiningParams {
  /** Validator addresses; the contract wants them ascending, and this sorts them. */
  validators: readonly string[];
  threshold: number;
  emission: Pick<Emission, 'firstEpochWei' | 'halvingEpochs' | 'allocationWei'>;
}

export const ascending = (addresses: readonly string[]): string[] => [...new Set(addresses.map((a) => getAddress(a)))].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));

export async function deployMining(deployer: Signer, { validators, threshold, emission }: MiningParams): Promise<MiningDeployment> {
  const contract = await airtMiningFactory(deployer).deploy(ascending(validators), threshold, BigInt(emission.firstEpochWei), emission.halvingEpochs, BigInt(emission.allocationWei));
  const receipt = (await contract.deploymentTransaction()!.wait())!;
  return { ...(await attachMining(await contract.getAddress(), deployer)), receipt };
}

/** The contracts of a deployment already on chain. */
export async function attachMining(miningAddress: string, runner: Signer): Promise<MiningContracts> {
  const mining = airtMiningAt(miningAddress, runner);
  const tokenAddress = await mining.token();
  return { mining, token: airtTokenAt(tokenAddress, runner), miningAddress: getAddress(miningAddress), tokenAddress: getAddress(tokenAddress) };
}
