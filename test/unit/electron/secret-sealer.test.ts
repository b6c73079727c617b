import { describe, expect, it } from 'vitest';
import { createSecretSealer, sealingRefusal, type SafeStorageLike } from '../../../electron/secret-sealer.js';
import type { SealResult } from '../../../worker/wallet/remembered-unlock.js';
import { electronSealer, SealRefusal } from '../../../worker/wallet/remembered-unlock.js';

/** safeStorage with a keyring: sealing reverses the bytes and tags them, so a test can tell sealed from plain. */
const keyring = (backend = 'gnome_libsecret', available = true): SafeStorageLike => ({
  isEncryptionAvailable: () => available,
  getSelectedStorageBackend: () => backend,
  encryptString: (text) => Buffer.concat([Buffer.from('v10'), Buffer.from(text).reverse()]),
  decryptString: (sealed) => {
    if (sealed.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString');
    return Buffer.from(sealed.subarray(3)).reverse().toString();
  },
});

/** The worker's sealer wired to main's service, as the app wires them (messages through the supervisor). */
function wired(safeStorage: SafeStorageLike, platform: NodeJS.Platform = 'linux') {
  let deliver: (result: SealResult) => void = () => {};
  const service = createSecretSealer({ safeStorage, platform, reply: (result) => queueMicrotask(() => deliver(result)) });
  const sealer = electronSealer({ postMessage: (request) => void service.handle(request) });
  deliver = (result) => void sealer.result(result);
  return { service, sealer };
}

describe('the keychain for a remembered unlock', () => {
  it('seals and opens through main, and what it seals is not the password', async () => {
    const { sealer } = wired(keyring());
    const sealed = await sealer.seal('correct horse battery');
    expect(Buffer.from(sealed).toString()).not.toContain('correct horse battery');
    expect(await sealer.open(sealed)).toBe('correct horse battery');
  });

  it("refuses where nothing protects it: Linux's basic_text backend, or no keychain at all", async () => {
    expect(sealingRefusal(keyring('basic_text'), 'linux')).toMatch(/no keyring/);
    expect(sealingRefusal(keyring('unknown'), 'linux')).toMatch(/no keyring/);
    expect(sealingRefusal(keyring('kwallet5'), 'linux')).toBeNull();
    expect(sealingRefusal(keyring('basic_text'), 'darwin')).toBeNull(); // the backend is a Linux notion
    expect(sealingRefusal(keyring('gnome_libsecret', false), 'win32')).toMatch(/no keychain/);
    const { sealer } = wired(keyring('basic_text'));
    await expect(sealer.seal('correct horse battery')).rejects.toThrow(SealRefusal);
  });

  it('answers bytes it cannot open with a reason, and ignores what is not a sealing request', async () => {
    const { sealer, service } = wired(keyring());
    await expect(sealer.open(Uint8Array.from([1, 2, 3]))).rejects.toThrow(/could not open it/);
    for (const message of [null, { type: 'seal-secret', id: 1 }, { type: 'open-secret', id: 1, sealed: 'text' }, { type: 'seal-secret', id: 0.5, text: 'x' }, { type: 'shutdown' }]) {
      expect(service.handle(message)).toBe(false);
    }
    expect(sealer.result({ type: 'secret-result', id: 999, ok: true, value: 'late' })).toBe(true); // nobody waits: dropped
    expect(sealer.result({ type: 'connect' })).toBe(false);
  });
});
