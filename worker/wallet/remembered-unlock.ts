/**
 * "Unlock when the app starts": the desktop app may keep the wallet's password sealed by the operating system's
 * keychain (Electron's safeStorage, which only Electron's main process holds), so the wallet unlocks itself at
 * start. The worker decides; main only seals and opens (electron/secret-sealer.ts). The sealed bytes live beside
 * the keystore, readable by the user only; the password itself never touches the disk. Where no keychain
 * protects the sealing (Linux's basic_text backend) main refuses, and so does a headless node, which has none.
 */
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureDataDir, writeFileAtomic } from '../data-dir.js';

/** What the desktop app offers the worker: the keychain's sealing, through main. */
export interface SecretSealer {
  /** Throws SealRefusal when the keychain cannot protect it (no keychain, basic_text). */
  seal(text: string): Promise<Uint8Array>;
  open(sealed: Uint8Array): Promise<string>;
}

/** The keychain cannot keep a secret here; the message says why, in words. */
export class SealRefusal extends Error {
  override name = 'SealRefusal';
}

export const rememberedUnlockPath = (dataDir: string) => join(dataDir, 'wallet', 'remembered-unlock');

/** The sealed password, or null when none is kept (or the file cannot be read: nothing to unlock with). */
export function readRemembered(dataDir: string): Uint8Array | null {
  try {
    const bytes = readFileSync(rememberedUnlockPath(dataDir));
    return bytes.length > 0 ? new Uint8Array(bytes) : null;
  } catch {
    return null;
  }
}

export function writeRemembered(dataDir: string, sealed: Uint8Array): void {
  const path = rememberedUnlockPath(dataDir);
  ensureDataDir(dirname(path));
  writeFileAtomic(path, sealed, 0o600);
}

export function forgetRemembered(dataDir: string): void {
  rmSync(rememberedUnlockPath(dataDir), { force: true });
}

/** Worker → main over `process.parentPort`: seal a text, or open sealed bytes; `id` pairs the answer. */
export type SealRequest = { type: 'seal-secret'; id: number; text: string } | { type: 'open-secret'; id: number; sealed: Uint8Array };

/** Main → worker: the sealed bytes or the opened text, or why not (in words). */
export type SealResult = { type: 'secret-result'; id: number; ok: true; value: Uint8Array | string } | { type: 'secret-result'; id: number; ok: false; reason: string };

/** The worker's side in the desktop app: each call a request to main, answered by `result`. */
export function electronSealer(main: { postMessage(message: SealRequest): void }, timeoutMs = 10_000): SecretSealer & { result(data: unknown): boolean } {
  let nextId = 1;
  const waiting = new Map<number, { resolve: (value: Uint8Array | string) => void; reject: (error: Error) => void }>();
  type Unnumbered = { type: 'seal-secret'; text: string } | { type: 'open-secret'; sealed: Uint8Array };
  const ask = (request: Unnumbered) =>
    new Promise<Uint8Array | string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new SealRefusal('the keychain did not answer'));
      }, timeoutMs);
      waiting.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      main.postMessage({ ...request, id } as SealRequest);
    });
  return {
    async seal(text) {
      const value = await ask({ type: 'seal-secret', text });
      if (!(value instanceof Uint8Array)) throw new SealRefusal('the keychain answered something else');
      return value;
    },
    async open(sealed) {
      const value = await ask({ type: 'open-secret', sealed });
      if (typeof value !== 'string') throw new SealRefusal('the keychain answered something else');
      return value;
    },
    result(data) {
      const message = data as Partial<SealResult> | null;
      if (message?.type !== 'secret-result' || typeof message.id !== 'number') return false;
      const pending = waiting.get(message.id);
      if (!pending) return true;
      waiting.delete(message.id);
      if (message.ok === true && 'value' in message) pending.resolve(message.value as Uint8Array | string);
      else pending.reject(new SealRefusal('reason' in message && typeof message.reason === 'string' ? message.reason : 'the keychain refused'));
      return true;
    },
  };
}
