/**
 * `airtist wallet` for rigs without a screen, as the built program: the mnemonic is printed once at creation,
 * the address needs no password, export needs it; the password comes from a file, the environment or a
 * terminal, never argv; a wrong password, a second create or a damaged keystore is one clear line and exit 1.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../../helpers/node-process.js';

const PASSWORD = 'a long enough password';
const PHRASE = 'test test test test test test test test test test test junk';

describe('airtist wallet', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-wallet-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const passwordFile = join(dir, 'password.txt');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const run = (args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) =>
    spawnSync(process.execPath, [CLI, 'wallet', ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, AIRTIST_PASSWORD: undefined, ...options.env }, input: options.input ?? '' });

  it('creates a wallet, printing its mnemonic once; address and export agree with it', () => {
    const dataDir = join(dir, 'created');
    const created = run(['create', '--data-dir', dataDir, '--password-file', passwordFile]);
    expect(created.status, created.stderr).toBe(0);
    const address = /^address\s+(0x[0-9a-fA-F]{40})$/m.exec(created.stdout)?.[1];
    const mnemonic = /^mnemonic\s+(.+)$/m.exec(created.stdout)?.[1];
    expect(mnemonic?.split(' ')).toHaveLength(12);
    // Not in the keystore, not even two words of it in a row (one word alone can be in its JSON by chance:
    // "address" and "salt" are both keys of the file and words of the list).
    const keystore = readFileSync(join(dataDir, 'wallet', 'keystore.json'), 'utf8');
    const words = mnemonic!.split(' ');
    for (let i = 0; i + 1 < words.length; i++) expect(keystore).not.toContain(`${words[i]} ${words[i + 1]}`);

    const shown = run(['address', '--data-dir', dataDir]);
    expect(shown.stdout.trim()).toBe(address);
    const exported = run(['export', '--data-dir', dataDir], { env: { AIRTIST_PASSWORD: PASSWORD } });
    expect([exported.status, exported.stdout.trim()]).toEqual([0, mnemonic]);

    const again = run(['create', '--data-dir', dataDir, '--password-file', passwordFile]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/a wallet already exists .*never overwritten/);
  });

  it('imports a mnemonic piped on stdin, and refuses a wrong password in one line, without a stack trace', () => {
    const dataDir = join(dir, 'imported');
    const imported = run(['import', '--data-dir', dataDir], { env: { AIRTIST_PASSWORD: PASSWORD }, input: `${PHRASE}\n` });
    expect([imported.status, imported.stdout.trim()]).toEqual([0, 'address   0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266']);
    const wrong = run(['export', '--data-dir', dataDir], { env: { AIRTIST_PASSWORD: 'not the password' } });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr.trim()).toBe('airtist wallet: wrong password (or the keystore was changed)');
    expect(wrong.stdout).toBe('');
  });

  it('says what is wrong with a missing wallet, a damaged keystore, or no password at all', () => {
    const dataDir = join(dir, 'damaged');
    expect(run(['address', '--data-dir', dataDir]).stderr).toMatch(/there is no wallet at .*wallet create/);
    expect(run(['create', '--data-dir', dataDir]).stderr).toMatch(/no password: give --password-file FILE or AIRTIST_PASSWORD/);
    run(['create', '--data-dir', dataDir, '--password-file', passwordFile]);
    const keystore = join(dataDir, 'wallet', 'keystore.json');
    writeFileSync(keystore, readFileSync(keystore, 'utf8').slice(0, 100));
    const damaged = run(['export', '--data-dir', dataDir, '--password-file', passwordFile]);
    expect(damaged.status).toBe(1);
    expect(damaged.stderr).toMatch(/is not a keystore: it is not valid JSON/);
    expect(damaged.stderr).not.toMatch(/\n\s+at /);
  });
});
