/**
 * "Unlock when the app starts" on a real node: the desktop app's keychain (a stand-in for Electron's
 * safeStorage, which only exists in Electron) seals the password; the node keeps only the sealed bytes, unlocks
 * itself at its next start, forgets on request, and refuses where no keychain protects it or none exists.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServerMessage, WalletInfo } from '../../../../worker/api/contract.js';
import type { MinerNode } from '../../../../worker/node.js';
import type { SecretSealer } from '../../../../worker/wallet/remembered-unlock.js';

// The built node (its trainer thread is a compiled file; npm test builds first), and its own refusal class.
const dist = (path: string) => new URL(`../../../../dist/worker/${path}`, import.meta.url).href;
const { startNode } = (await import(dist('node.js'))) as typeof import('../../../../worker/node.js');
const { SealRefusal, rememberedUnlockPath } = (await import(dist('wallet/remembered-unlock.js'))) as typeof import('../../../../worker/wallet/remembered-unlock.js');

const PASSWORD = 'a long enough password';
const dir = mkdtempSync(join(tmpdir(), 'airtist-remember-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A keychain: a fixed XOR, tagged, so the sealed file is not the password and only this keychain opens it. */
const keychain: SecretSealer = {
  seal: async (text) => Uint8Array.from([0x76, ...Buffer.from(text).map((b) => b ^ 0x5a)]),
  open: async (sealed) => {
    if (sealed[0] !== 0x76) throw new SealRefusal('not sealed here');
    return Buffer.from(sealed.subarray(1).map((b) => b ^ 0x5a)).toString();
  },
};
const noKeyring: SecretSealer = {
  seal: async () => {
    throw new SealRefusal('no keyring runs in this desktop session');
  },
  open: async () => {
    throw new SealRefusal('no keyring runs in this desktop session');
  },
};

async function start(sealer?: SecretSealer): Promise<{ node: MinerNode; call: (method: string, params?: object) => Promise<ServerMessage> }> {
  const node = await startNode({ dataDir: join(dir, 'node'), backend: 'wasm', model: 'tiny-gan', wallet: { scryptN: 1 << 10, ...(sealer ? { sealer } : {}) } });
  let id = 0;
  const call = (method: string, params: object = {}) => node.hub.dispatcher.handle({ kind: 'call', id: ++id, method, params }) as Promise<ServerMessage>;
  return { node, call };
}
const info = (reply: ServerMessage) => (reply as { result: WalletInfo }).result;

describe('a remembered unlock', { timeout: 120_000 }, () => {
  it('is kept sealed, unlocks the wallet at the next start, and is forgotten on request', async () => {
    let { node, call } = await start(keychain);
    try {
      expect(info(await call('walletStatus'))).toMatchObject({ canRemember: true, remembered: false });
      await call('walletCreate', { password: PASSWORD });
      await call('walletLock');
      const unlocked = info(await call('walletUnlock', { password: PASSWORD, remember: true }));
      expect(unlocked).toMatchObject({ locked: false, remembered: true });
      const file = rememberedUnlockPath(join(dir, 'node'));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file).toString('latin1')).not.toContain(PASSWORD);
    } finally {
      await node.stop();
    }

    ({ node, call } = await start(keychain));
    try {
      expect(info(await call('walletStatus'))).toMatchObject({ locked: false, remembered: true });
      expect(info(await call('walletForgetUnlock'))).toMatchObject({ remembered: false });
    } finally {
      await node.stop();
    }

    ({ node, call } = await start(keychain));
    try {
      expect(info(await call('walletStatus'))).toMatchObject({ locked: true, remembered: false });
    } finally {
      await node.stop();
    }
  });

  it('is refused, in words, where no keyring protects it, and by a headless node; the unlock itself stands', async () => {
    let { node, call } = await start(noKeyring);
    try {
      const reply = await call('walletUnlock', { password: PASSWORD, remember: true });
      expect(reply).toMatchObject({ kind: 'error', error: { code: 'REFUSED', message: expect.stringMatching(/cannot unlock at start: no keyring/) } });
      expect(info(await call('walletStatus'))).toMatchObject({ locked: false, remembered: false });
    } finally {
      await node.stop();
    }
    ({ node, call } = await start());
    try {
      expect(info(await call('walletStatus'))).toMatchObject({ canRemember: false, locked: true });
      const reply = await call('walletUnlock', { password: PASSWORD, remember: true });
      expect(reply).toMatchObject({ kind: 'error', error: { code: 'REFUSED', message: expect.stringMatching(/only the desktop app/) } });
    } finally {
      await node.stop();
    }
  });

  it('is forgotten when it no longer opens (a keychain reset), and the wallet stays locked', async () => {
    let { node, call } = await start(keychain);
    try {
      await call('walletUnlock', { password: PASSWORD, remember: true });
    } finally {
      await node.stop();
    }
    ({ node, call } = await start(noKeyring));
    try {
      expect(info(await call('walletStatus'))).toMatchObject({ locked: true, remembered: false });
    } finally {
      await node.stop();
    }
  });
});
