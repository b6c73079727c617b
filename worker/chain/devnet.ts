/**
 * The embedded devnet: with no chain configured, the node runs its own EVM chain in process (evm.ts), serves
 * it as JSON-RPC on 127.0.0.1, and deploys the contracts on its first start, with a validator key of its own
 * as the one validator, so train → commit → earn → claim works on a fresh machine with no network. Its state
 * survives restarts (journal.ts); what it needs to come back the same — the chain id, the genesis time, its
 * keys and the contracts' addresses — is one file written atomically (mode 0600).
 *
 * The devnet's keys are for this chain alone: a faucet that gives local wallets gas, and the validator that
 * signs epoch roots. Neither is the user's wallet.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Wallet, getAddress, parseEther } from 'ethers';
import { JsonRpcServer } from 'hardhat/internal/hardhat-network/jsonrpc/server.js';
import { readFileOrNull, writeFileDurably } from '../durable-file.js';
import type { Emission } from '../rewards/emission.js';
import { attachMining, deployMining, type MiningContracts } from './deploy.js';
import { startChain, type InProcessChain } from './evm.js';
import { journaled, replayJournal, type JournaledProvider } from './journal.js';

/** "AIRT" in ASCII: a chain id no public chain uses. */
export const DEVNET_CHAIN_ID = 0x41495254;
const FAUCET_BALANCE = parseEther('1000000');
const VALIDATOR_BALANCE = parseEther('1000');

interface DevnetFile {
  version: 1;
  chainId: number;
  genesisTime: string;
  faucetKey: string;
  validatorKey: string;
  mining: string;
  token: string;
}

export interface DevnetOptions {
  /** The devnet's folder (in the data dir). */
  dir: string;
  /** The run's emission: the contract enforces the same schedule. */
  emission: Pick<Emission, 'firstEpochWei' | 'halvingEpochs' | 'allocationWei'>;
  /** 0 for any free port. */
  port?: number;
  /**
   * The validator set deployed on the first start, and its threshold (a swarm's validators); absent, the
   * devnet's own validator alone.
   */
  validators?: { addresses: string[]; threshold: number };
  log?: (line: string) => void;
}

export class Devnet {
  private constructor(
    readonly chain: InProcessChain,
    readonly chainId: number,
    readonly rpcUrl: string,
    readonly contracts: MiningContracts,
    /** Signs the devnet's epoch roots (threshold 1). */
    readonly validator: Wallet,
    private readonly faucet: Wallet,
    private readonly server: JsonRpcServer,
    /** Milliseconds the start took, and the journal entries it replayed. */
    readonly started: { ms: number; replayed: number; deployed: boolean },
  ) {}

  static async start({ dir, emission, port = 0, validators, log = () => {} }: DevnetOptions): Promise<Devnet> {
    const began = performance.now();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const statePath = join(dir, 'devnet.json');
    const journalPath = join(dir, 'journal.ndjson');
    const saved = await readFileOrNull(statePath, 64 * 1024);
    const keys = saved ? (JSON.parse(saved.toString('utf8')) as DevnetFile) : null;
    if (keys && keys.version !== 1) throw new Error(`${statePath}: an unknown devnet format`);
    const faucetKey = keys?.faucetKey ?? Wallet.createRandom().privateKey;
    const validatorKey = keys?.validatorKey ?? Wallet.createRandom().privateKey;
    const chainId = keys?.chainId ?? DEVNET_CHAIN_ID;
    const genesisTime = keys ? new Date(keys.genesisTime) : new Date(Math.floor(Date.now() / 1000) * 1000);

    const chain = await startChain({
      chainId,
      genesisTime,
      accounts: [
        { privateKey: faucetKey, balance: FAUCET_BALANCE },
        { privateKey: validatorKey, balance: VALIDATOR_BALANCE },
      ],
      wrap: (raw) => journaled(raw, journalPath),
    });
    const raw = chain.eip1193;
    const replayed = keys ? await replayJournal((raw as JournaledProvider).upstream, journalPath) : 0;
    // Replayed blocks carry their old times; new ones follow the clock again.
    const latest = (await raw.request({ method: 'eth_getBlockByNumber', params: ['latest', false] })) as { timestamp: string };
    const now = Math.floor(Date.now() / 1000);
    if (now > Number(latest.timestamp)) await raw.request({ method: 'evm_setNextBlockTimestamp', params: [now] });

    const faucet = new Wallet(faucetKey, chain.provider);
    const validator = new Wallet(validatorKey, chain.provider);
    let contracts: MiningContracts;
    const deployed = !keys;
    if (keys) {
      contracts = await attachMining(keys.mining, faucet);
      if ((await chain.provider.getCode(keys.mining)) === '0x') throw new Error(`${journalPath} does not rebuild the devnet: no contract at ${keys.mining}`);
    } else {
      const set = validators ?? { addresses: [validator.address], threshold: 1 };
      contracts = await deployMining(faucet, { validators: set.addresses, threshold: set.threshold, emission });
      const file: DevnetFile = { version: 1, chainId, genesisTime: genesisTime.toISOString(), faucetKey, validatorKey, mining: contracts.miningAddress, token: contracts.tokenAddress };
      await writeFileDurably(statePath, Buffer.from(`${JSON.stringify(file, null, 2)}\n`), { mode: 0o600 });
    }
    const server = new JsonRpcServer({ hostname: '127.0.0.1', port, provider: chain.eip1193 as never });
    const { port: bound } = await server.listen();
    const rpcUrl = `http://127.0.0.1:${bound}`;
    const ms = Math.round(performance.now() - began);
    log(`chain: devnet ${chainId} on ${rpcUrl}, AirtMining ${contracts.miningAddress} (${deployed ? 'deployed' : `${replayed} transactions replayed`}, ${ms} ms)`);
    return new Devnet(chain, chainId, rpcUrl, contracts, validator, faucet, server, { ms, replayed, deployed });
  }

  /** Gives `address` gas from the faucet up to `atLeast` wei (a transaction, so it survives restarts). */
  async fund(address: string, atLeast = parseEther('10')): Promise<bigint> {
    const balance = await this.chain.provider.getBalance(address);
    if (balance >= atLeast) return 0n;
    const amount = atLeast - balance;
    await (await this.faucet.sendTransaction({ to: getAddress(address), value: amount })).wait();
    return amount;
  }

  async stop(): Promise<void> {
    await this.server.close();
    this.chain.close();
  }
}
