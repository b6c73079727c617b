/**
 * The node's peer key: an Ed25519 key in `<data-dir>/peer-key` (libp2p's protobuf encoding, mode 0600,
 * written atomically), so the peer id stays the same across restarts. A damaged key file is set aside, never
 * overwritten in place, and a new identity is made: the node keeps working and says so.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { writeFileAtomic } from '../data-dir.js';

export const PEER_KEY_FILE = 'peer-key';

export async function loadOrCreatePeerKey(dataDir: string, log: (line: string) => void = () => {}): Promise<PrivateKey> {
  const path = join(dataDir, PEER_KEY_FILE);
  if (existsSync(path)) {
    try {
      const key = privateKeyFromProtobuf(readFileSync(path));
      if (key.type === 'Ed25519') return key;
      throw new Error(`a ${key.type} key, expected Ed25519`);
    } catch (error) {
      const aside = `${path}.unusable-${Date.now()}`;
      renameSync(path, aside);
      log(`p2p: the peer key could not be read (${(error as Error).message}); set it aside as ${aside} and made a new identity`);
    }
  }
  const key = await generateKeyPair('Ed25519');
  writeFileAtomic(path, privateKeyToProtobuf(key), 0o600);
  return key;
}
