/**
 * The wallet's keystore on a real file: created or imported, unlocked only with its password; a wrong password,
 * a damaged or truncated file, a weak password or a bad secret each give their own clear error, and none of
 * them writes anything or overwrites a wallet; no error message carries a secret.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeystoreError, changePassword, createKeystore, importKeystore, readKeystore, unlockKeystore, type KeystoreProblem } from '../../../../worker/wallet/keystore.js';

/** Cheap scrypt for tests; the default is 2^17. */
const FAST = { scryptN: 1 << 10 };
const PASSWORD = 'correct horse battery';
/** Hardhat's well-known test phrase and its first account. */
const PHRASE = 'test test test test test test test test test test test junk';
const PHRASE_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const KEY_ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';

async function problem(action: Promise<unknown>): Promise<{ problem: KeystoreProblem; message: string }> {
  const error = await action.then(() => null, (e: unknown) => e);
  if (!(error instanceof KeystoreError)) throw new Error(`expected a KeystoreError, got ${String(error)}`);
  return { problem: error.problem, message: error.message };
}

describe('the wallet keystore', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airtist-keystore-'));
    path = join(dir, 'wallet', 'keystore.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a wallet with a 12-word mnemonic, readable by its owner only, that unlocks to the same keys', async () => {
    const { address, mnemonic } = await createKeystore(path, PASSWORD, FAST);
    expect(mnemonic.split(' ')).toHaveLength(12);
    if (process.platform !== 'win32') expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await readKeystore(path)).toEqual({ address, hasMnemonic: true });
    const wallet = await unlockKeystore(path, PASSWORD);
    expect(wallet.address).toBe(address);
    expect('mnemonic' in wallet && wallet.mnemonic?.phrase).toBe(mnemonic);
  });

  it('imports a mnemonic (its first account) or a private key', async () => {
    expect(await importKeystore(path, PASSWORD, { mnemonic: `  ${PHRASE.toUpperCase()} ` }, FAST)).toEqual({ address: PHRASE_ADDRESS });
    const other = join(dir, 'other.json');
    expect(await importKeystore(other, PASSWORD, { privateKey: KEY.slice(2) }, FAST)).toEqual({ address: KEY_ADDRESS });
    expect(await readKeystore(other)).toEqual({ address: KEY_ADDRESS, hasMnemonic: false });
    expect((await unlockKeystore(other, PASSWORD)).privateKey).toBe(KEY);
  });

  it('never overwrites a wallet, and writes nothing for a weak password or a bad secret', async () => {
    await createKeystore(path, PASSWORD, FAST);
    const before = readFileSync(path);
    expect((await problem(createKeystore(path, PASSWORD, FAST))).problem).toBe('exists');
    expect((await problem(importKeystore(path, PASSWORD, { privateKey: KEY }, FAST))).problem).toBe('exists');
    expect(readFileSync(path)).toEqual(before);

    const fresh = join(dir, 'fresh.json');
    expect((await problem(createKeystore(fresh, 'short', FAST))).problem).toBe('weak-password');
    const badPhrase = await problem(importKeystore(fresh, PASSWORD, { mnemonic: PHRASE.replace('junk', 'jump') }, FAST));
    expect(badPhrase.problem).toBe('bad-secret');
    const badKey = await problem(importKeystore(fresh, PASSWORD, { privateKey: '0x1234' }, FAST));
    expect(badKey.problem).toBe('bad-secret');
    expect(await readKeystore(fresh)).toBeNull();
    // The secrets a user typed never come back in an error.
    expect(badPhrase.message).not.toContain('test test');
    expect(badKey.message).not.toContain('1234');
  });

  it('refuses a wrong password, and a changed ciphertext the same way, without changing the file', async () => {
    await createKeystore(path, PASSWORD, FAST);
    const before = readFileSync(path, 'utf8');
    expect((await problem(unlockKeystore(path, `${PASSWORD}!`))).problem).toBe('wrong-password');
    const json = JSON.parse(before);
    const flipped = json.Crypto.ciphertext[0] === 'a' ? 'b' : 'a';
    writeFileSync(path, JSON.stringify({ ...json, Crypto: { ...json.Crypto, ciphertext: flipped + json.Crypto.ciphertext.slice(1) } }));
    expect((await problem(unlockKeystore(path, PASSWORD))).problem).toBe('wrong-password');
  });

  it.each<[string, (text: string) => string, RegExp]>([
    ['truncated', (text) => text.slice(0, text.length / 2), /not valid JSON/],
    ['empty', () => '', /not valid JSON/],
    ['without its MAC', (text) => JSON.stringify({ ...JSON.parse(text), Crypto: { ...JSON.parse(text).Crypto, mac: undefined } }), /not a version 3 scrypt keystore/],
    ['of another version', (text) => JSON.stringify({ ...JSON.parse(text), version: 4 }), /not a version 3/],
    ['naming another address', (text) => JSON.stringify({ ...JSON.parse(text), address: '1'.repeat(40) }), /another address than it names/],
  ])('calls a keystore %s corrupt', async (_, damage, message) => {
    await createKeystore(path, PASSWORD, FAST);
    writeFileSync(path, damage(readFileSync(path, 'utf8')));
    const refused = await problem(unlockKeystore(path, PASSWORD));
    expect(refused.problem).toBe('corrupt');
    expect(refused.message).toMatch(message);
  });

  it('says there is no wallet rather than failing on a missing file', async () => {
    expect(await readKeystore(path)).toBeNull();
    expect((await problem(unlockKeystore(path, PASSWORD))).problem).toBe('missing');
  });

  it('changes the password: the old one no longer unlocks it, the new one does, the keys stay', async () => {
    const { address } = await createKeystore(path, PASSWORD, FAST);
    await changePassword(path, PASSWORD, 'another long password', FAST);
    expect((await problem(unlockKeystore(path, PASSWORD))).problem).toBe('wrong-password');
    expect((await unlockKeystore(path, 'another long password')).address).toBe(address);
    expect((await problem(changePassword(path, 'another long password', 'short', FAST))).problem).toBe('weak-password');
  });
});
