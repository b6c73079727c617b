/**
 * The chain as the node uses it: the embedded devnet (devnet.ts) when no chain is configured. It posts each
 * epoch's root once the node has closed it (this node is the devnet's validator), and writes where its RPC
 * answers (`chain/rpc.json`) so `airtist wallet balance|claim` can reach it while the node runs. A failure to
 * post is logged and retried at the next epoch's close (a later root supersedes it: claims are cumulative);
 * it never stops the rounds.
 */
import { join } from 'node:path';
import { getAddress } from 'ethers';
import { writeFileDurably } from '../durable-file.js';
import type { EpochRecord } from '../ledger/rewards.js';
import type { Emission } from '../rewards/emission.js';
import { Devnet } from './devnet.js';
import { miningDomain, ordered, signEpochRoot } from './signatures.js';

/** Where a running node's chain answers: what the wallet commands read. */
export interface ChainEndpoint {
  rpcUrl: string;
  chainId: number;
  mining: string;
  token: string;
}

export const chainEndpointPath = (dataDir: string) => join(dataDir, 'chain', 'rpc.json');

export interface ChainService {
  endpoint: ChainEndpoint;
  /** Signs and posts a closed epoch's root, unless the chain already holds it or a later one. */
  postEpoch(record: EpochRecord): Promise<void>;
  /** Gives `address` gas (the devnet's faucet), so a fresh wallet can claim. */
  fund(address: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startChainService({ dataDir, emission, log }: { dataDir: string; emission: Emission; log: (line: string) => void }): Promise<ChainService> {
  const devnet = await Devnet.start({ dir: join(dataDir, 'chain', 'devnet'), emission, log });
  const endpoint: ChainEndpoint = { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, mining: devnet.contracts.miningAddress, token: devnet.contracts.tokenAddress };
  await writeFileDurably(chainEndpointPath(dataDir), Buffer.from(`${JSON.stringify(endpoint, null, 2)}\n`));
  const mining = devnet.contracts.mining.connect(devnet.validator);
  const domain = miningDomain(devnet.chainId, endpoint.mining);
  let posting: Promise<void> = Promise.resolve();

  async function post(record: EpochRecord): Promise<void> {
    if ((await mining.posted()) && (await mining.latestEpoch()) >= BigInt(record.epoch)) return;
    const started = performance.now();
    const value = { epoch: record.epoch, root: record.root, epochTotal: BigInt(record.totalWei) };
    const signatures = ordered([await signEpochRoot(devnet.validator, domain, value)]);
    const receipt = await (await mining.postEpochRoot(value.epoch, value.root, value.epochTotal, signatures)).wait();
    log(`chain: epoch ${record.epoch}'s root posted (${receipt?.gasUsed} gas, ${Math.round(performance.now() - started)} ms after its close)`);
  }

  return {
    endpoint,
    postEpoch(record) {
      // One at a time, in the order the epochs closed.
      posting = posting.then(() => post(record)).catch((error: Error) => log(`chain: posting epoch ${record.epoch}'s root failed: ${error.message}`));
      return posting;
    },
    async fund(address) {
      const given = await devnet.fund(getAddress(address));
      if (given > 0n) log(`chain: gave ${address} ${given} wei of devnet gas`);
    },
    async stop() {
      await posting;
      await devnet.stop();
    },
  };
}
