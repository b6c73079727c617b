/**
 * The chain as the node uses it: the embedded devnet (devnet.ts) when no chain is configured, else the
 * configured testnet or mainnet (config.ts), whose RPC must serve the chain id the config names. On the
 * devnet this node is the validator: it posts each epoch's root once the node has closed it. On a configured
 * chain the network's validators sign them and one of them posts them (root-signatures.ts). Either way it writes where its RPC answers (`chain/rpc.json`)
 * so `airtist wallet balance|claim` can reach it while the node runs. A failure to post is logged and
 * retried at the next epoch's close (a later root supersedes it: claims are cumulative); it never stops the
 * rounds.
 */
import { join } from 'node:path';
import { getAddress, type JsonRpcProvider, type Provider } from 'ethers';
import { writeFileDurably } from '../durable-file.js';
import type { EpochRecord } from '../ledger/rewards.js';
import type { Emission } from '../rewards/emission.js';
import { ChainConfigError, connectRpc } from './connect.js';
import { Devnet } from './devnet.js';
import type { Peer } from '../p2p/peer.js';
import { startRootSigner } from './root-signatures.js';
import { miningDomain, ordered, signEpochRoot } from './signatures.js';

/** Where a running node's chain answers: what the wallet commands read, and what a chain config names. */
export interface ChainEndpoint {
  rpcUrl: string;
  chainId: number;
  mining: string;
  token: string;
}

export const chainEndpointPath = (dataDir: string) => join(dataDir, 'chain', 'rpc.json');

export interface ChainService {
  kind: 'devnet' | 'configured';
  endpoint: ChainEndpoint;
  /** The chain, for reads and for the wallet's signer. */
  provider: Provider;
  /** Signs and posts a closed epoch's root, unless the chain already holds it or a later one (devnet only). */
  postEpoch(record: EpochRecord): Promise<void>;
  /** Gives `address` gas (the devnet's faucet), so a fresh wallet can claim; nothing on a configured chain. */
  fund(address: string): Promise<void>;
  stop(): Promise<void>;
}

export interface ChainServiceOptions {
  dataDir: string;
  emission: Emission;
  /** A configured chain; absent, the devnet. */
  configured?: ChainEndpoint;
  /** On a configured chain, the peer that hears and tells the validators' root signatures, and this node's key if it is one. */
  roots?: { peer: Peer; validatorKey?: string };
  log: (line: string) => void;
}

export function startChainService(options: ChainServiceOptions): Promise<ChainService> {
  return options.configured ? startConfigured(options, options.configured) : startDevnet(options);
}

const writeEndpoint = (dataDir: string, endpoint: ChainEndpoint) => writeFileDurably(chainEndpointPath(dataDir), Buffer.from(`${JSON.stringify(endpoint, null, 2)}\n`));

async function startConfigured({ dataDir, log, roots }: ChainServiceOptions, endpoint: ChainEndpoint): Promise<ChainService> {
  const provider: JsonRpcProvider = await connectRpc(endpoint.rpcUrl, endpoint.chainId);
  try {
    if ((await provider.getCode(endpoint.mining)) === '0x') throw new ChainConfigError(`chain ${endpoint.chainId} has no contract at ${endpoint.mining}: check the mining address in the chain config`);
  } catch (error) {
    provider.destroy();
    throw error instanceof ChainConfigError ? error : new ChainConfigError(`the RPC at ${new URL(endpoint.rpcUrl).origin} does not answer: ${(error as Error).message}`);
  }
  await writeEndpoint(dataDir, endpoint);
  log(`chain: ${endpoint.chainId} at ${new URL(endpoint.rpcUrl).origin}, AirtMining ${endpoint.mining}`);
  const signer = roots
    ? await startRootSigner({ chainId: endpoint.chainId, mining: endpoint.mining, provider, peer: roots.peer, ...(roots.validatorKey ? { key: roots.validatorKey } : {}), log }).catch((error: Error) => {
        provider.destroy();
        throw error;
      })
    : null;
  return {
    kind: 'configured',
    endpoint,
    provider,
    postEpoch: async (record) => signer?.epochClosed(record),
    fund: async () => {},
    async stop() {
      signer?.stop();
      provider.destroy();
    },
  };
}

async function startDevnet({ dataDir, emission, log }: ChainServiceOptions): Promise<ChainService> {
  const devnet = await Devnet.start({ dir: join(dataDir, 'chain', 'devnet'), emission, log });
  const endpoint: ChainEndpoint = { rpcUrl: devnet.rpcUrl, chainId: devnet.chainId, mining: devnet.contracts.miningAddress, token: devnet.contracts.tokenAddress };
  await writeEndpoint(dataDir, endpoint);
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
    kind: 'devnet',
    endpoint,
    provider: devnet.chain.provider,
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
