/**
 * The keychain's sealing for the worker (main side): "unlock the wallet when the app starts" keeps the wallet's
 * password sealed by Electron's safeStorage, which only main holds (worker/wallet/remembered-unlock.ts decides;
 * this seals and opens). Refused where nothing protects what is sealed: safeStorage unavailable, or on Linux its
 * `basic_text` backend (no keyring: a hard-coded key, as good as the password in the clear).
 */
import type { SealRequest, SealResult } from '../worker/wallet/remembered-unlock.js';

/** The parts of Electron's safeStorage used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only: which keyring backs it. */
  getSelectedStorageBackend?(): string;
  encryptString(text: string): Buffer;
  decryptString(sealed: Buffer): string;
}

export interface SecretSealerService {
  /** A message from the worker: false when it is not a sealing request. */
  handle(message: unknown): boolean;
}

/** Why the keychain cannot keep a secret here, or null when it can. */
export function sealingRefusal(safeStorage: SafeStorageLike, platform: NodeJS.Platform): string | null {
  if (!safeStorage.isEncryptionAvailable()) return 'this computer offers no keychain to keep it in';
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
    if (backend === 'basic_text' || backend === 'unknown') {
      return 'no keyring runs in this desktop session (GNOME Keyring or KWallet), so the password would be kept as good as in the clear';
    }
  }
  return null;
}

const isRequest = (message: unknown): message is SealRequest => {
  const m = message as Partial<SealRequest> | null;
  if (typeof m !== 'object' || m === null || !Number.isSafeInteger(m.id)) return false;
  return (m.type === 'seal-secret' && typeof (m as { text?: unknown }).text === 'string') || (m.type === 'open-secret' && (m as { sealed?: unknown }).sealed instanceof Uint8Array);
};

export function createSecretSealer(options: { safeStorage: SafeStorageLike; platform: NodeJS.Platform; reply(result: SealResult): void }): SecretSealerService {
  const { safeStorage } = options;
  return {
    handle(message) {
      if (!isRequest(message)) return false;
      const refusal = sealingRefusal(safeStorage, options.platform);
      if (refusal) {
        options.reply({ type: 'secret-result', id: message.id, ok: false, reason: refusal });
        return true;
      }
      try {
        const value = message.type === 'seal-secret' ? new Uint8Array(safeStorage.encryptString(message.text)) : safeStorage.decryptString(Buffer.from(message.sealed));
        options.reply({ type: 'secret-result', id: message.id, ok: true, value });
      } catch (error) {
        // A keychain that was reset, or bytes sealed by another user: the worker forgets them.
        options.reply({ type: 'secret-result', id: message.id, ok: false, reason: `the keychain could not ${message.type === 'seal-secret' ? 'seal' : 'open'} it (${(error as Error).message})` });
      }
      return true;
    },
  };
}
