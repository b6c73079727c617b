/**
 * The wallet service: unlocked by its password, locked again after the idle time (each use restarts it), and
 * nothing it reports carries a secret; the mnemonic comes out only with the password, and only if it has one.
 */
import { JsonRpcProvider } from 'ethers';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KeystoreError } from '../../../../worker/wallet/keystore.js';
import { WalletService, keystorePath, type WalletStatus } from '../../../../worker/wallet/wallet.js';

const PASSWORD = 'correct horse battery';
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

describe('the wallet service', () => {
  let dir: string;
  let changes: WalletStatus[];
  let wallet: WalletService;
  const provider = new JsonRpcProvider('http://127.0.0.1:9', 31337, { staticNetwork: true });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airtist-wallet-'));
    changes = [];
    wallet = new WalletService({ path: keystorePath(dir), autoLockMs: 60_000, scryptN: 1 << 10, changed: (s) => changes.push(s) });
  });
  afterEach(() => {
    wallet.stop();
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with no wallet, creates one unlocked, and reports only its address and state', async () => {
    expect(await wallet.start()).toEqual({ address: null, locked: true, hasMnemonic: false, locksAt: null });
    expect(() => wallet.signer(provider)).toThrow(/no wallet yet/);
    const { status, mnemonic } = await wallet.create(PASSWORD);
    expect(status).toMatchObject({ locked: false, hasMnemonic: true });
    const signer = wallet.signer(provider);
    expect(signer.address).toBe(status.address);
    // What goes to the dashboard and the logs: the address and the lock state, nothing else (the shape is
    // checked, not the words: BIP-39 has 'address' and 'true' among its 2,048, and a search for each word
    // of a fresh mnemonic fails now and then on the keys themselves).
    for (const reported of [status, ...changes]) {
      expect(Object.keys(reported).sort()).toEqual(['address', 'hasMnemonic', 'locked', 'locksAt']);
      expect(reported.address).toBe(signer.address);
      expect(typeof reported.locked).toBe('boolean');
      expect(typeof reported.hasMnemonic).toBe('boolean');
      expect(reported.locksAt === null || typeof reported.locksAt === 'number').toBe(true);
    }
    const reported = JSON.stringify([status, ...changes]);
    expect(reported).not.toContain(signer.privateKey.slice(2));
    expect(reported).not.toContain(mnemonic);
  });

  it('locks itself after the idle time, each use restarting it, and unlocks only with the password', async () => {
    await wallet.import(PASSWORD, { privateKey: KEY });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    wallet.signer(provider); // a use: the idle time starts again
    vi.advanceTimersByTime(59_000);
    expect(wallet.status().locked).toBe(false);
    wallet.signer(provider);
    vi.advanceTimersByTime(59_000);
    expect(wallet.status().locked).toBe(false);
    vi.advanceTimersByTime(2_000);
    expect(wallet.status()).toMatchObject({ locked: true, locksAt: null });
    expect(changes.at(-1)?.locked).toBe(true);
    const locked = (() => {
      try {
        wallet.signer(provider);
      } catch (error) {
        return error;
      }
    })();
    expect(locked).toBeInstanceOf(KeystoreError);
    expect((locked as KeystoreError).problem).toBe('locked');
    vi.useRealTimers();
    await expect(wallet.unlock('not the password')).rejects.toThrow(/wrong password/);
    expect(wallet.status().locked).toBe(true);
    expect((await wallet.unlock(PASSWORD)).locked).toBe(false);
  });

  it("takes a new idle time at once: the user's setting restarts an unlocked wallet's countdown", async () => {
    await wallet.import(PASSWORD, { privateKey: KEY });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      wallet.signer(provider);
      vi.advanceTimersByTime(30_000);
      wallet.setAutoLock(5 * 60_000);
      expect(wallet.status().locksAt).toBe(Date.now() + 5 * 60_000);
      vi.advanceTimersByTime(4 * 60_000);
      expect(wallet.status().locked).toBe(false);
      wallet.setAutoLock(10_000);
      vi.advanceTimersByTime(10_001);
      expect(wallet.status().locked).toBe(true);
      expect(() => wallet.setAutoLock(0)).toThrow(RangeError);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps its countdown when the idle time set is the one it has (another setting was saved)', async () => {
    await wallet.import(PASSWORD, { privateKey: KEY });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      wallet.signer(provider);
      vi.advanceTimersByTime(59_000);
      wallet.setAutoLock(60_000);
      vi.advanceTimersByTime(1_001);
      expect(wallet.status().locked).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('exports the mnemonic only with the password, and says so when a key-imported wallet has none', async () => {
    const { mnemonic } = await wallet.create(PASSWORD);
    wallet.lock();
    await expect(wallet.exportMnemonic('not the password')).rejects.toThrow(/wrong password/);
    expect(await wallet.exportMnemonic(PASSWORD)).toBe(mnemonic);
    const keyed = new WalletService({ path: join(dir, 'keyed.json'), scryptN: 1 << 10 });
    await keyed.import(PASSWORD, { privateKey: KEY });
    await expect(keyed.exportMnemonic(PASSWORD)).rejects.toThrow(/no mnemonic to export/);
    keyed.stop();
  });
});
