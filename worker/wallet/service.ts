/**
 * The wallet as a running node serves it to the dashboard: the keystore (wallet.ts), the chain it claims on
 * (chain/service.ts) and the ledger's record of its transactions, behind one object the API handlers call.
 * The chain starts beside everything else and the node never waits for it: until it is up, balances, claims
 * and sends say that it is starting, and a chain that failed says why.
 *
 * Claims and sends answer once their transaction is sent; the chain's receipt settles it later, and every
 * change is told through `transaction` (the dashboard shows it live). One transaction is sent at a time, so
 * two clicks cannot race for a nonce.
 */
import { parseUnits } from 'ethers';
import type { ChainInfo, WalletBalances, WalletInfo } from '../api/contract/wallet.js';
import { startChainService, type ChainEndpoint, type ChainService } from '../chain/service.js';
import type { EpochRecord, RewardRecords } from '../ledger/rewards.js';
import type { TransactionRecord, TransactionRecords } from '../ledger/transactions.js';
import type { Emission } from '../rewards/emission.js';
import type { Peer } from '../p2p/peer.js';
import { ClaimError, balancesOf, claim, receiptsOf, recipientOf, send } from './claims.js';
import { KeystoreError, secretOf, type KeystoreOptions } from './keystore.js';
import { WalletService, keystorePath } from './wallet.js';
import { SealRefusal, forgetRemembered, readRemembered, writeRemembered, type SecretSealer } from './remembered-unlock.js';

/** Where rewards are claimed: the devnet inside the node, a configured chain, or none. */
export type ChainChoice = 'devnet' | 'none' | { configured: ChainEndpoint };

/** A refusal the user can act on (a wrong password, a chain still starting, nothing to claim). */
export { SealRefusal, type SecretSealer } from './remembered-unlock.js';

export class WalletRefusal extends Error {
  override name = 'WalletRefusal';
}

export interface NodeWalletOptions extends KeystoreOptions {
  dataDir: string;
  runId: string;
  emission: Emission;
  rewards: RewardRecords;
  transactions: TransactionRecords;
  chain: ChainChoice;
  /** Rewards are credited here instead of the wallet's address. */
  rewardAddress?: string;
  /** On a configured chain: the peer that carries the validators' root signatures, and this node's key if it is one. */
  roots?: { peer: Peer; validatorKey?: string };
  autoLockMs?: number;
  /** The desktop app's keychain, for "unlock when the app starts"; absent in a headless node. */
  sealer?: SecretSealer;
  log: (line: string) => void;
  /** The wallet's state changed (created, unlocked, locked, the chain came up): for the dashboard. */
  changed(info: WalletInfo): void;
  /** A transaction was sent or settled. */
  transaction(tx: TransactionRecord): void;
}

export interface NodeWallet {
  info(): WalletInfo;
  /** Where this node's contributions are credited (read at every contribution). */
  rewardAddress(): string | null;
  create(password: string): Promise<WalletInfo>;
  import(password: string, secret: string): Promise<WalletInfo>;
  /** With `remember`, the password is also kept sealed by the keychain, and the wallet unlocks itself at start. */
  unlock(password: string, remember?: boolean): Promise<WalletInfo>;
  lock(): WalletInfo;
  /** No more unlocking at start: the sealed password is deleted. */
  forgetUnlock(): WalletInfo;
  /** The idle time before the wallet locks itself (the user's setting). */
  setAutoLock(ms: number): void;
  exportMnemonic(password: string): Promise<string>;
  balances(): Promise<WalletBalances>;
  claim(): Promise<TransactionRecord>;
  send(to: string, amount: string, coin: 'airt' | 'gas'): Promise<TransactionRecord>;
  history(limit: number): TransactionRecord[];
  /** An epoch closed: its root goes on chain (the devnet's validator is this node). */
  epochClosed(record: EpochRecord): void;
  stop(): Promise<void>;
}

/** Turns the errors a user can act on into refusals; anything else stays what it is (a bug to log). */
async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof KeystoreError || error instanceof ClaimError) throw new WalletRefusal(error.message);
    throw error;
  }
}

export async function startNodeWallet(options: NodeWalletOptions): Promise<NodeWallet> {
  const { log, transactions } = options;
  let problem: string | null = null;
  const wallet = new WalletService({
    path: keystorePath(options.dataDir),
    ...(options.autoLockMs ? { autoLockMs: options.autoLockMs } : {}),
    ...(options.scryptN ? { scryptN: options.scryptN } : {}),
    changed: () => options.changed(info()),
  });
  // A damaged keystore is shown, not fatal, and never overwritten (create and import refuse an existing file).
  await wallet.start().catch((error: Error) => {
    problem = error.message;
    log(`wallet: ${error.message}`);
  });
  const fixed = options.rewardAddress?.toLowerCase() ?? null;

  /** Whether a sealed password is kept: read once here, then changed only by this service. */
  let remembered = readRemembered(options.dataDir) !== null;

  /** A password the keychain keeps unlocks the wallet now; one that no longer opens or fits it is forgotten. */
  async function unlockRemembered(): Promise<void> {
    const sealed = readRemembered(options.dataDir);
    if (!sealed || problem !== null || !wallet.status().address) return;
    if (!options.sealer) return log('wallet: a remembered unlock is kept, but only the desktop app can open it');
    try {
      await wallet.unlock(await options.sealer.open(sealed));
      log('wallet: unlocked at start (the password is kept in the keychain)');
    } catch (error) {
      forgetRemembered(options.dataDir);
      remembered = false;
      log(`wallet: could not unlock at start (${(error as Error).message}); unlock it by hand, the remembered password is forgotten`);
    }
  }

  let chain: ChainService | null = null;
  let chainInfo: ChainInfo =
    options.chain === 'none'
      ? { state: 'none', kind: null, chainId: null, reason: 'this node was started without a chain: rewards are credited, and claimable once it runs with one' }
      : { state: 'starting', kind: options.chain === 'devnet' ? 'devnet' : 'configured', chainId: options.chain === 'devnet' ? null : options.chain.configured.chainId, reason: null };

  function info(): WalletInfo {
    return { ...wallet.status(), problem, rewardAddress: rewardAddress(), chain: chainInfo, remembered, canRemember: options.sealer !== undefined };
  }
  function rewardAddress(): string | null {
    return fixed ?? wallet.status().address?.toLowerCase() ?? null;
  }
  const changed = () => options.changed(info());

  /** The devnet's faucet gives the reward address gas before any root is posted: a claim can follow the first. */
  const fund = async (address: string | null) => {
    if (chain && address) await chain.fund(address).catch((error: Error) => log(`chain: funding ${address}: ${error.message}`));
  };

  const chainStarting: Promise<ChainService | null> =
    options.chain === 'none'
      ? Promise.resolve(null)
      : startChainService({
          dataDir: options.dataDir,
          emission: options.emission,
          log,
          ...(options.chain === 'devnet' ? {} : { configured: options.chain.configured, ...(options.roots ? { roots: options.roots } : {}) }),
        }).then(
          async (started) => {
            chain = started;
            await fund(rewardAddress());
            chainInfo = { state: 'ready', kind: started.kind, chainId: started.endpoint.chainId, reason: null };
            changed();
            // Transactions a dead process left pending are settled from their receipts, and an epoch closed
            // while the chain was not there (a crash, a failed post) is posted now.
            await follow();
            const last = options.rewards.epochs(options.runId).at(-1);
            if (last) await started.postEpoch(last);
            return started;
          },
          (error: Error) => {
            chainInfo = { ...chainInfo, state: 'failed', reason: `the chain did not start: ${error.message}` };
            log(`chain: ${chainInfo.reason}; rewards are credited but cannot be claimed yet`);
            changed();
            return null;
          },
        );

  async function follow(): Promise<void> {
    if (!chain) return;
    const before = new Set(transactions.list(500).filter((tx) => tx.status === 'pending').map((tx) => tx.hash));
    if (before.size === 0) return;
    await transactions.follow(receiptsOf(chain.provider)).catch((error: Error) => log(`wallet: following pending transactions: ${error.message}`));
    for (const hash of before) {
      const tx = transactions.get(hash);
      if (tx && tx.status !== 'pending') options.transaction(tx);
    }
  }

  function ready(): ChainService {
    if (chain) return chain;
    throw new WalletRefusal(chainInfo.state === 'starting' ? 'the chain is still starting: try again in a moment' : (chainInfo.reason ?? 'there is no chain'));
  }
  const address = (): string => {
    const { address } = wallet.status();
    if (!address) throw new WalletRefusal('there is no wallet yet: create or import one');
    return address;
  };

  let sending: Promise<unknown> | null = null;
  /**
   * Runs a claim or a send with a journal that tells every change, and answers once the transaction is sent
   * (or with the error that kept it from being sent). What fails after that is in the record, as 'failed'.
   */
  function transact(run: (journal: TransactionRecords) => Promise<unknown>): Promise<TransactionRecord> {
    if (sending) return Promise.reject(new WalletRefusal('a transaction is being sent: wait for it first'));
    let sent: (tx: TransactionRecord) => void = () => {};
    const isSent = new Promise<TransactionRecord>((resolve) => (sent = resolve));
    let hash: string | null = null;
    const tell = (txHash: string) => {
      const tx = transactions.get(txHash);
      if (tx) options.transaction(tx);
      return tx;
    };
    const journal: TransactionRecords = {
      ...transactions,
      sent(tx) {
        transactions.sent(tx);
        hash = tx.hash;
        const record = tell(tx.hash);
        if (record) sent(record);
      },
      settle(txHash, outcome, at) {
        transactions.settle(txHash, outcome, at);
        tell(txHash);
      },
    };
    const done = refusing(() => run(journal));
    sending = done.catch(() => undefined).finally(() => (sending = null));
    done.catch((error: Error) => {
      if (hash) log(`wallet: transaction ${hash}: ${error.message}`);
    });
    return Promise.race([isSent, done.then(() => isSent)]);
  }

  // Unlocked at start, with the keychain's password, once everything info() reads is in place.
  await unlockRemembered();

  return {
    info,
    rewardAddress,
    async create(password) {
      await refusing(() => wallet.create(password));
      problem = null;
      const result = info();
      await fund(rewardAddress());
      return result;
    },
    async import(password, secret) {
      await refusing(() => wallet.import(password, secretOf(secret)));
      problem = null;
      const result = info();
      await fund(rewardAddress());
      return result;
    },
    async unlock(password, remember = false) {
      if (remember && !options.sealer) {
        throw new WalletRefusal('only the desktop app can unlock the wallet at start: it keeps the password in the system keychain, which a headless node has not');
      }
      await refusing(() => wallet.unlock(password));
      if (remember) {
        try {
          writeRemembered(options.dataDir, await options.sealer!.seal(password));
          remembered = true;
        } catch (error) {
          if (error instanceof SealRefusal) throw new WalletRefusal(`the wallet is unlocked, but it cannot unlock at start: ${error.message}`);
          throw error;
        }
        changed();
      }
      return info();
    },
    lock() {
      wallet.lock();
      return info();
    },
    forgetUnlock() {
      forgetRemembered(options.dataDir);
      remembered = false;
      changed();
      return info();
    },
    setAutoLock: (ms) => wallet.setAutoLock(ms),
    exportMnemonic: (password) => refusing(() => wallet.exportMnemonic(password)),
    async balances() {
      const live = ready();
      const b = await refusing(() => balancesOf(live.endpoint, live.provider, options.rewards, options.runId, address()));
      return {
        address: b.address,
        airtWei: b.airt.toString(),
        gasWei: b.gas.toString(),
        creditedWei: b.credited.toString(),
        postedWei: b.posted.toString(),
        claimedWei: b.claimed.toString(),
        claimableWei: b.claimable.toString(),
        pendingWei: b.pending.toString(),
        latestEpoch: b.latestEpoch,
      };
    },
    claim() {
      return transact(async (journal) => {
        const live = ready();
        return claim(live.endpoint, wallet.signer(live.provider), options.rewards, options.runId, journal);
      });
    },
    send(to, amount, coin) {
      return transact(async (journal) => {
        const live = ready();
        const recipient = recipientOf(to);
        let wei: bigint;
        try {
          wei = parseUnits(amount.trim(), 18);
        } catch {
          throw new WalletRefusal(`"${amount}" is not an amount`);
        }
        return send(live.endpoint, wallet.signer(live.provider), recipient, wei, coin, journal);
      });
    },
    history: (limit) => transactions.list(limit),
    epochClosed(record) {
      void chainStarting.then((live) => live?.postEpoch(record));
    },
    async stop() {
      await sending;
      wallet.stop();
      await (await chainStarting)?.stop().catch((error: Error) => log(`chain: stopping: ${error.message}`));
    },
  };
}
