/**
 * The p2p service: the node's libp2p peer with its persistent identity, started from the user's options, with
 * what the dashboard shows of the connections (latency, direct or relayed). A listen port already taken (a
 * second miner on the machine) falls back to a free port instead of failing the node.
 */
import { DEFAULT_P2P_PORT, type PeerInfo } from '../api/contract.js';
import { startPeer, type Peer, type PeerOptions } from './peer.js';
import type { PrivateKey } from '@libp2p/interface';

/**
 * TCP on `port` and WebSocket on the next one, on all interfaces, and a reservation on a relay for when nobody
 * can dial those (NAT). Port 0: free ports the system picks.
 */
export function listenAddresses(port: number): string[] {
  return [`/ip4/0.0.0.0/tcp/${port}`, `/ip4/0.0.0.0/tcp/${port === 0 ? 0 : port + 1}/ws`, '/p2p-circuit'];
}

export const DEFAULT_LISTEN = listenAddresses(DEFAULT_P2P_PORT);

export interface P2pOptions {
  listen?: string[];
  announce?: string[];
  bootstrap?: string[];
  mdns?: boolean;
  relay?: boolean;
  maxConnections?: number;
}

export interface P2pService {
  readonly peer: Peer;
  readonly privateKey: PrivateKey;
  peers(): PeerInfo[];
  stop(): Promise<void>;
}

const PRIVATE = /^\/ip[46]\/(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1\/|f[cd])/;
const REDIAL_EVERY_MS = 3000;

/** Starts the peer with this node's identity (see `loadOrCreatePeerKey`). */
export async function startP2pService(privateKey: PrivateKey, options: P2pOptions, log: (line: string) => void): Promise<P2pService> {
  const listen = options.listen ?? DEFAULT_LISTEN;
  const peerOptions: PeerOptions = {
    privateKey,
    listen,
    ...(options.announce?.length ? { announce: options.announce } : {}),
    bootstrap: options.bootstrap ?? [],
    mdns: options.mdns ?? true,
    relay: options.relay ?? false,
    // A LAN or loopback network keeps its private addresses in the DHT; one on the internet drops them.
    privateNetwork: listen.every((address) => PRIVATE.test(address)),
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
  };
  let peer: Peer;
  try {
    peer = await startPeer(peerOptions);
  } catch (error) {
    if (!/EADDRINUSE|address already in use/i.test(String((error as Error).message))) throw error;
    const free = listen.map((address) => address.replace(/\/tcp\/\d+/, '/tcp/0'));
    log(`p2p: ${listen.join(', ')} is in use; listening on free ports instead`);
    peer = await startPeer({ ...peerOptions, listen: free });
  }
  log(`p2p: peer ${peer.peerId} on ${peer.addresses().join(', ') || 'no address'}`);

  // Bootstrap dials once at start; a connection lost later (a busy machine missing pings) is dialled again.
  const bootstrap = options.bootstrap ?? [];
  const redial = setInterval(() => {
    const connected = new Set(peer.libp2p.getConnections().map((connection) => connection.remotePeer.toString()));
    for (const address of bootstrap) {
      const id = address.split('/p2p/').at(-1);
      if (id && !connected.has(id) && id !== peer.peerId) void peer.dial(address).catch(() => undefined);
    }
  }, REDIAL_EVERY_MS);
  redial.unref();

  return {
    peer,
    privateKey,
    peers() {
      const byPeer = new Map<string, PeerInfo>();
      for (const connection of peer.libp2p.getConnections()) {
        const id = connection.remotePeer.toString();
        const relayed = connection.remoteAddr.toString().includes('/p2p-circuit');
        const known = byPeer.get(id);
        // libp2p's connection monitor pings every connection every 10 s and keeps the round trip on it.
        const rtt = connection.rtt === undefined ? null : Math.round(connection.rtt);
        byPeer.set(id, {
          id,
          latencyMs: known?.latencyMs ?? rtt,
          direct: (known?.direct ?? false) || !relayed,
          address: known?.address ?? connection.remoteAddr.toString(),
        });
      }
      return [...byPeer.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    },
    async stop() {
      clearInterval(redial);
      await peer.stop();
    },
  };
}
