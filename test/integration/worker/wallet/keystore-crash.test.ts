/**
 * A keystore write under kill -9: a writer process re-encrypts the wallet again and again and is killed with
 * SIGKILL at a random moment, 20 times. After each kill the file is the old keystore or the new one, whole:
 * it parses, unlocks with one of the two passwords, and holds the same key.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readKeystore, unlockKeystore } from '../../../../worker/wallet/keystore.js';
import { startWriter } from '../ledger/writer-process.js';
import { CRASH_ADDRESS, CRASH_KEY, CRASH_PASSWORDS } from './fixtures/keystore-crash.js';

const KILLS = 20;

describe('a keystore write under kill -9', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airtist-keystore-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves the old keystore or the new one, never a broken one, across 20 kills', async () => {
    const path = join(dir, 'wallet', 'keystore.json');
    const unlockedWith = new Set<string>();
    for (let kill = 1; kill <= KILLS; kill++) {
      const writer = startWriter([path], '../../wallet/fixtures/keystore-writer.ts');
      await writer.reach(1);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 60));
      expect(await writer.kill9()).toBe('SIGKILL');

      expect(await readKeystore(path)).toEqual({ address: CRASH_ADDRESS, hasMnemonic: false });
      const opened = await Promise.all(CRASH_PASSWORDS.map((password) => unlockKeystore(path, password).then((wallet) => ({ password, wallet }), () => null)));
      const good = opened.filter((o) => o !== null);
      expect(good, `kill ${kill}: the keystore unlocks with exactly one of the passwords`).toHaveLength(1);
      expect(good[0]!.wallet.privateKey).toBe(CRASH_KEY);
      unlockedWith.add(good[0]!.password);
    }
    // The kills landed at different points of the alternation.
    expect(unlockedWith.size).toBe(2);
    // Temp files a kill left behind are beside the keystore, never in its place.
    expect(readdirSync(join(dir, 'wallet')).filter((name) => !name.endsWith('.tmp'))).toEqual(['keystore.json']);
  }, 180_000);
});
