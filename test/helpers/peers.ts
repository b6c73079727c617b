/** Real libp2p peers for tests: a fresh identity, listening on a free loopback port, stopped by `stopAll`. */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { startPeer, type Peer, type PeerOptions } from '../../worker/p2p/peer.js';

export function loopbackPeers(): { start(options?: Partial<PeerOptions>): Promise<Peer>; stopAll(): Promise<void> } {
  const peers: Peer[] = [];
  return {
    async start(options = {}) {
      const peer = await startPeer({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], privateNetwork: true, ...options });
      peers.push(peer);
      return peer;
    },
    async stopAll() {
      await Promise.all(peers.splice(0).map((peer) => peer.stop()));
    },
  };
}

/** Polls `condition` every 50 ms until it holds; past `timeoutMs` fails naming `what` it waited for. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
