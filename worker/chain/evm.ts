/**
 * An EVM chain inside this process: Hardhat's EDR engine (the Rust EVM Hardhat runs on), created from code
 * with no Hardhat config or CLI. It serves the embedded devnet (devnet.ts) and the contract tests. Blocks are
 * mined on every transaction; the chain starts at a fixed genesis time, so the same transactions replayed give
 * the same blocks.
 *
 * ethers must not cache answers from it (`cacheTimeout: -1`): automining is faster than ethers' 250 ms cache,
 * and back-to-back transactions would otherwise reuse a nonce.
 */
import { BrowserProvider, type Eip1193Provider } from 'ethers';
import { createHardhatNetworkProvider } from 'hardhat/internal/hardhat-network/provider/provider.js';

/** The EVM the contracts are compiled for (build/contracts.ts): the chain must run it or a later one. */
export const HARDFORK = 'cancun';

export interface ChainOptions {
  chainId: number;
  /** Accounts funded at genesis: private keys (0x-hex) with their balances in wei. */
  accounts: ReadonlyArray<{ privateKey: string; balance: bigint }>;
  /** The genesis block's time; fixed, so a replay gives the same chain. */
  genesisTime: Date;
  /** What ethers talks to instead of the chain itself (journal.ts: a journal of every write). */
  wrap?: (eip1193: Eip1193Provider) => Eip1193Provider;
}

export interface InProcessChain {
  /** EIP-1193 (wrapped, if asked): what a JSON-RPC server or ethers talks to. */
  eip1193: Eip1193Provider;
  provider: BrowserProvider;
  close(): void;
}

export async function startChain({ chainId, accounts, genesisTime, wrap = (raw) => raw }: ChainOptions): Promise<InProcessChain> {
  const raw = (await createHardhatNetworkProvider(
    {
      hardfork: HARDFORK,
      chainId,
      networkId: chainId,
      blockGasLimit: 30_000_000,
      minGasPrice: 0n,
      automine: true,
      intervalMining: 0,
      mempoolOrder: 'priority',
      chains: new Map(),
      genesisAccounts: accounts.map(({ privateKey, balance }) => ({ privateKey, balance })),
      allowUnlimitedContractSize: false,
      throwOnTransactionFailures: true,
      throwOnCallFailures: true,
      allowBlocksWithSameTimestamp: false,
      initialDate: genesisTime,
      enableTransientStorage: false,
      enableRip7212: false,
    },
    { enabled: false },
  )) as unknown as Eip1193Provider;
  const eip1193 = wrap(raw);
  const provider = new BrowserProvider(eip1193, { chainId, name: `airtist-${chainId}` }, { cacheTimeout: -1, pollingInterval: 50, staticNetwork: true });
  return { eip1193, provider, close: () => provider.destroy() };
}
