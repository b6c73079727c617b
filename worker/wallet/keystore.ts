/**
 * The wallet's one file: a Web3 secret-storage v3 keystore (scrypt, AES-128-CTR, a MAC over the ciphertext),
 * written by ethers, with the BIP-39 mnemonic inside it encrypted the same way when the wallet has one. It is
 * written atomically and durably (durable-file.ts, mode 0600): a process killed mid-write leaves the old file
 * or the new one, never a torn one. An existing keystore is never overwritten by a create or an import: losing
 * it loses the funds. Every way a file can be wrong is a KeystoreError with a reason a user can read.
 */
import { HDNodeWallet, Mnemonic, Wallet, encryptKeystoreJson, getAddress, isHexString } from 'ethers';
import { readFileOrNull, writeFileDurably } from '../durable-file.js';

/** Web3 secret storage's own default; each unlock costs about a second on a home computer, by design. */
export const DEFAULT_SCRYPT_N = 1 << 17;
export const MIN_PASSWORD_LENGTH = 8;
/** A keystore is a few hundred bytes; refuse to read a file far larger before parsing it. */
const MAX_KEYSTORE_BYTES = 64 * 1024;

export type KeystoreProblem = 'missing' | 'exists' | 'corrupt' | 'wrong-password' | 'weak-password' | 'bad-secret' | 'locked';

export class KeystoreError extends Error {
  override name = 'KeystoreError';
  constructor(
    readonly problem: KeystoreProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface KeystoreOptions {
  /** scrypt's cost (a power of two); lower only in tests. */
  scryptN?: number;
}

/** What a keystore says without its password: the address it holds. */
export interface KeystoreInfo {
  address: string;
  /** Whether it holds a mnemonic (a created or phrase-imported wallet) or a bare key. */
  hasMnemonic: boolean;
}

export type UnlockedWallet = Wallet | HDNodeWallet;

export type WalletSecret = { mnemonic: string } | { privateKey: string };

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) throw new KeystoreError('weak-password', `the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
}

/** Parses and checks a keystore's shape, without decrypting it. */
export function parseKeystore(text: string, path = 'the keystore'): KeystoreInfo {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeystoreError('corrupt', `${path} is not a keystore: it is not valid JSON (truncated or damaged)`);
  }
  type Crypto = { ciphertext?: unknown; mac?: unknown; kdf?: unknown; kdfparams?: unknown; cipherparams?: { iv?: unknown } };
  const ks = json as { version?: unknown; address?: unknown; crypto?: Crypto; Crypto?: Crypto; 'x-ethers'?: { mnemonicCiphertext?: unknown } };
  const hex = (value: unknown, bytes?: number) => typeof value === 'string' && isHexString(value.startsWith('0x') ? value : `0x${value}`, bytes);
  // The spec's field is `crypto`; ethers, like geth before it, writes `Crypto`.
  const crypto = ks?.crypto ?? ks?.Crypto;
  if (ks?.version !== 3 || !crypto || !hex(crypto.ciphertext) || !hex(crypto.mac, 32) || crypto.kdf !== 'scrypt' || typeof crypto.kdfparams !== 'object' || !hex(crypto.cipherparams?.iv, 16)) {
    throw new KeystoreError('corrupt', `${path} is not a version 3 scrypt keystore (a field is missing or damaged)`);
  }
  if (!hex(ks.address, 20)) throw new KeystoreError('corrupt', `${path} names no address`);
  const raw = String(ks.address);
  return { address: getAddress(raw.startsWith('0x') ? raw : `0x${raw}`), hasMnemonic: typeof ks['x-ethers']?.mnemonicCiphertext === 'string' };
}

export async function readKeystore(path: string): Promise<KeystoreInfo | null> {
  const bytes = await readFileOrNull(path, MAX_KEYSTORE_BYTES).catch((error: Error) => {
    throw new KeystoreError('corrupt', `${path} cannot be read as a keystore: ${error.message}`);
  });
  return bytes === null ? null : parseKeystore(bytes.toString('utf8'), path);
}

async function write(path: string, wallet: UnlockedWallet, password: string, { scryptN = DEFAULT_SCRYPT_N }: KeystoreOptions): Promise<void> {
  const mnemonic = wallet instanceof HDNodeWallet && wallet.mnemonic ? { path: wallet.path ?? undefined, locale: wallet.mnemonic.wordlist.locale, entropy: wallet.mnemonic.entropy } : undefined;
  const json = await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey, ...(mnemonic ? { mnemonic } : {}) }, password, { scrypt: { N: scryptN } });
  await writeFileDurably(path, Buffer.from(json, 'utf8'), { mode: 0o600 });
}

/** Throws unless there is no file at `path` at all (a damaged keystore is still a wallet not to overwrite). */
export async function refuseExisting(path: string): Promise<void> {
  const existing = await readFileOrNull(path, MAX_KEYSTORE_BYTES).catch(() => Buffer.alloc(1));
  if (existing !== null) throw new KeystoreError('exists', `a wallet already exists at ${path}; it is never overwritten (move it away first to replace it)`);
}

/** What the keystore at `path` says; a missing one is a KeystoreError that says how to make one. */
export async function requireKeystore(path: string): Promise<KeystoreInfo> {
  const info = await readKeystore(path);
  if (!info) throw new KeystoreError('missing', `there is no wallet at ${path}: run 'airtist wallet create' or 'airtist wallet import'`);
  return info;
}

/** A new wallet from a fresh BIP-39 mnemonic (12 words): returns it, the mnemonic shown once. */
export async function createKeystore(path: string, password: string, options: KeystoreOptions = {}): Promise<{ address: string; mnemonic: string }> {
  checkPassword(password);
  await refuseExisting(path);
  const wallet = Wallet.createRandom();
  await write(path, wallet, password, options);
  return { address: wallet.address, mnemonic: wallet.mnemonic!.phrase };
}

/** A wallet from a mnemonic (BIP-44's first Ethereum account) or a private key. */
export async function importKeystore(path: string, password: string, secret: WalletSecret, options: KeystoreOptions = {}): Promise<{ address: string }> {
  checkPassword(password);
  const wallet = walletOf(secret);
  await refuseExisting(path);
  await write(path, wallet, password, options);
  return { address: wallet.address };
}

/** What a user pasted to import: a private key (64 hex digits, with or without 0x), else a mnemonic. */
export function secretOf(text: string): WalletSecret {
  const trimmed = text.trim();
  return /^(0x)?[0-9a-fA-F]{64}$/.test(trimmed) ? { privateKey: trimmed } : { mnemonic: trimmed };
}

function walletOf(secret: WalletSecret): UnlockedWallet {
  if ('mnemonic' in secret) {
    const phrase = secret.mnemonic.trim().toLowerCase().split(/\s+/).join(' ');
    if (!Mnemonic.isValidMnemonic(phrase)) throw new KeystoreError('bad-secret', 'that is not a valid BIP-39 mnemonic (check the words and their order)');
    return HDNodeWallet.fromPhrase(phrase);
  }
  const key = secret.privateKey.trim();
  const hex = key.startsWith('0x') ? key : `0x${key}`;
  if (!isHexString(hex, 32)) throw new KeystoreError('bad-secret', 'a private key is 64 hex digits');
  try {
    return new Wallet(hex);
  } catch {
    throw new KeystoreError('bad-secret', 'that private key is not a valid secp256k1 key');
  }
}

/** Decrypts the keystore. A wrong password and a changed ciphertext both fail its MAC: one error for both. */
export async function unlockKeystore(path: string, password: string): Promise<UnlockedWallet> {
  const bytes = await readFileOrNull(path, MAX_KEYSTORE_BYTES).catch((error: Error) => {
    throw new KeystoreError('corrupt', `${path} cannot be read as a keystore: ${error.message}`);
  });
  if (bytes === null) throw new KeystoreError('missing', `there is no wallet at ${path}: create or import one first`);
  const text = bytes.toString('utf8');
  const info = parseKeystore(text, path);
  let wallet: UnlockedWallet;
  try {
    wallet = await Wallet.fromEncryptedJson(text, password);
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (/password/i.test(message)) throw new KeystoreError('wrong-password', 'wrong password (or the keystore was changed)');
    if (/address.*mismatch/i.test(message)) throw new KeystoreError('corrupt', `${path} holds another address than it names`);
    throw new KeystoreError('corrupt', `${path} does not decrypt to a wallet: ${message.split(' (')[0]}`);
  }
  if (wallet.address !== info.address) throw new KeystoreError('corrupt', `${path} holds another address than it names`);
  return wallet;
}

/** Re-encrypts the keystore under a new password, atomically. */
export async function changePassword(path: string, current: string, next: string, options: KeystoreOptions = {}): Promise<void> {
  checkPassword(next);
  const wallet = await unlockKeystore(path, current);
  await write(path, wallet, next, options);
}
