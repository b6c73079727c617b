/**
 * The node's wallet: one keystore (keystore.ts) in the data dir, locked until its password unlocks it, and
 * locked again after `autoLockMs` without use. The decrypted key lives in this object only: the API and the
 * logs get the address and the state, never the key or the mnemonic; the mnemonic leaves only through
 * `exportMnemonic`, which asks for the password again.
 */
import { join } from 'node:path';
import type { Provider } from 'ethers';
import { KeystoreError, createKeystore, importKeystore, readKeystore, unlockKeystore, type KeystoreInfo, type KeystoreOptions, type UnlockedWallet, type WalletSecret } from './keystore.js';

export const DEFAULT_AUTO_LOCK_MS = 15 * 60_000;

export const keystorePath = (dataDir: string) => join(dataDir, 'wallet', 'keystore.json');

export interface WalletStatus {
  /** Null until a wallet is created or imported. */
  address: string | null;
  locked: boolean;
  hasMnemonic: boolean;
  /** When it locks itself, if unlocked (ms since the epoch). */
  locksAt: number | null;
}

export interface WalletOptions extends KeystoreOptions {
  path: string;
  autoLockMs?: number;
  /** Told of every change (for the dashboard): the status only. */
  changed?: (status: WalletStatus) => void;
}

export class WalletService {
  private info: KeystoreInfo | null = null;
  private unlocked: UnlockedWallet | null = null;
  private timer: NodeJS.Timeout | null = null;
  private locksAt: number | null = null;
  private autoLockMs: number;

  constructor(private readonly options: WalletOptions) {
    this.autoLockMs = options.autoLockMs ?? DEFAULT_AUTO_LOCK_MS;
    if (!(this.autoLockMs > 0)) throw new RangeError('autoLockMs must be positive');
  }

  /** A new idle time before the wallet locks itself; an unlocked wallet's countdown starts again with it. */
  setAutoLock(ms: number): void {
    if (!(ms > 0)) throw new RangeError('autoLockMs must be positive');
    // The same idle time is no change: saving another setting must not keep an unused wallet unlocked longer.
    if (ms === this.autoLockMs) return;
    this.autoLockMs = ms;
    if (this.unlocked) this.touch();
  }

  /** Reads what the keystore says without its password; a damaged one is a KeystoreError to show. */
  async start(): Promise<WalletStatus> {
    this.info = await readKeystore(this.options.path);
    return this.status();
  }

  status(): WalletStatus {
    return { address: this.info?.address ?? null, locked: this.unlocked === null, hasMnemonic: this.info?.hasMnemonic ?? false, locksAt: this.locksAt };
  }

  /** A new wallet, unlocked; its mnemonic is returned this once, for the user to write down. */
  async create(password: string): Promise<{ status: WalletStatus; mnemonic: string }> {
    const { mnemonic } = await createKeystore(this.options.path, password, this.options);
    await this.unlock(password);
    return { status: this.status(), mnemonic };
  }

  async import(password: string, secret: WalletSecret): Promise<WalletStatus> {
    await importKeystore(this.options.path, password, secret, this.options);
    return this.unlock(password);
  }

  async unlock(password: string): Promise<WalletStatus> {
    const wallet = await unlockKeystore(this.options.path, password);
    this.info = { address: wallet.address, hasMnemonic: 'mnemonic' in wallet && wallet.mnemonic !== null };
    this.unlocked = wallet;
    this.touch();
    return this.status();
  }

  lock(): WalletStatus {
    this.unlocked = null;
    this.locksAt = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.changed();
    return this.status();
  }

  /** The unlocked wallet connected to `provider`, for one use: using it keeps the wallet unlocked a while longer. */
  signer(provider: Provider): UnlockedWallet {
    if (!this.unlocked) throw new KeystoreError(this.info ? 'locked' : 'missing', this.info ? 'the wallet is locked: unlock it with its password' : 'there is no wallet yet: create or import one');
    this.touch();
    return this.unlocked.connect(provider);
  }

  /** The mnemonic, after the password is checked again (it decrypts the keystore anew). */
  async exportMnemonic(password: string): Promise<string> {
    const wallet = await unlockKeystore(this.options.path, password);
    if (!('mnemonic' in wallet) || !wallet.mnemonic) throw new KeystoreError('bad-secret', 'this wallet was imported from a private key: it has no mnemonic to export');
    return wallet.mnemonic.phrase;
  }

  stop(): void {
    this.lock();
  }

  private touch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.locksAt = Date.now() + this.autoLockMs;
    this.timer = setTimeout(() => this.lock(), this.autoLockMs);
    this.timer.unref();
    this.changed();
  }

  private changed(): void {
    this.options.changed?.(this.status());
  }
}
