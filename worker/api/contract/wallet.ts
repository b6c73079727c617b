/**
 * The node's wallet and chain as the dashboard sees them. The key and the mnemonic never appear here: the
 * one exception is `walletExport`, which asks for the password again. Amounts are wei as decimal strings.
 * Pure types and the params' zod schemas.
 */
import { z } from 'zod';

/** Where rewards are claimed, and whether the node can reach it. */
export interface ChainInfo {
  /** none: the node was started without a chain (rewards are credited, not claimable). */
  state: 'none' | 'starting' | 'ready' | 'failed';
  /** devnet: the chain inside this node; configured: a testnet or mainnet from the node's config. */
  kind: 'devnet' | 'configured' | null;
  chainId: number | null;
  /** Why it is not ready, in words. */
  reason: string | null;
}

export interface WalletInfo {
  /** Null until a wallet is created or imported. */
  address: string | null;
  locked: boolean;
  hasMnemonic: boolean;
  /** When it locks itself again, if unlocked (Unix ms). */
  locksAt: number | null;
  /** A keystore that cannot be read, in words (nothing is overwritten). */
  problem: string | null;
  /** Where this node's rewards are credited: the wallet's address, unless the node was given another. */
  rewardAddress: string | null;
  chain: ChainInfo;
  /** The wallet unlocks itself at start (its password sealed by the system keychain). */
  remembered: boolean;
  /** This node can offer that: the desktop app, with a keychain that protects what it seals. */
  canRemember: boolean;
}

/** The wallet's address reconciled between the ledger and the chain, to the wei. */
export interface WalletBalances {
  address: string;
  /** AIRT held, and the chain's own coin (gas). */
  airtWei: string;
  gasWei: string;
  /** Credited by the network (the ledger), in the latest root on chain, already paid out. */
  creditedWei: string;
  postedWei: string;
  claimedWei: string;
  /** posted − claimed: what a claim pays now. */
  claimableWei: string;
  /** credited − posted: waits for its epoch's root. */
  pendingWei: string;
  /** The latest epoch whose root is on chain. */
  latestEpoch: number | null;
}

export interface WalletTransaction {
  hash: string;
  chainId: number;
  kind: 'claim' | 'send';
  coin: 'airt' | 'gas';
  from: string;
  to: string;
  amountWei: string;
  status: 'pending' | 'confirmed' | 'failed';
  block: number | null;
  gasUsed: string | null;
  sentAt: number;
  settledAt: number | null;
}

/** Web3 secret storage needs no more; the keystore module refuses fewer than 8 characters with its reason. */
const password = z.string().min(1, 'a password is needed').max(1024);

export const walletParams = {
  walletCreate: z.object({ password }).strict(),
  /** A BIP-39 mnemonic or a private key (64 hex digits). */
  walletImport: z.object({ password, secret: z.string().min(1).max(1024) }).strict(),
  /** `remember`: also unlock by itself at every start (the desktop app keeps the password in the keychain). */
  walletUnlock: z.object({ password, remember: z.boolean().default(false) }).strict(),
  walletExport: z.object({ password }).strict(),
  walletSend: z
    .object({
      /** Checked for its EIP-55 checksum by the node. */
      to: z.string().min(1).max(64),
      /** In whole coins, as typed: "12.5". */
      amount: z.string().regex(/^\s*\d{1,30}(\.\d{1,18})?\s*$/, 'an amount like 12.5 (at most 18 decimals)'),
      coin: z.enum(['airt', 'gas']).default('airt'),
    })
    .strict(),
  walletHistory: z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
};
