import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterAll, describe, expect, it } from 'vitest';
import { PEER_KEY_FILE, loadOrCreatePeerKey } from '../../../../worker/p2p/peer-key.js';

const dir = mkdtempSync(join(tmpdir(), 'airtist-peer-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the peer key', () => {
  it('is made once, kept private, and gives the same peer id after a restart', async () => {
    const first = peerIdFromPrivateKey(await loadOrCreatePeerKey(dir)).toString();
    expect(statSync(join(dir, PEER_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(peerIdFromPrivateKey(await loadOrCreatePeerKey(dir)).toString()).toBe(first);
    expect(first).toMatch(/^12D3KooW/); // an Ed25519 peer id
  });

  it('sets a damaged key file aside and makes a new identity, saying so', async () => {
    const damaged = mkdtempSync(join(dir, 'damaged-'));
    writeFileSync(join(damaged, PEER_KEY_FILE), 'not a key');
    const lines: string[] = [];
    const key = await loadOrCreatePeerKey(damaged, (line) => lines.push(line));
    expect(key.type).toBe('Ed25519');
    expect(lines[0]).toMatch(/could not be read .*set it aside/);
    const files = readdirSync(damaged).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toBe(PEER_KEY_FILE);
    expect(files[1]).toMatch(/^peer-key\.unusable-\d+$/);
  });
});
