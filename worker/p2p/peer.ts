/**
 * The node's libp2p peer: TCP and WebSocket transports, Noise, Yamux, identify, ping, gossipsub (signed
 * messages only), kad-dht, mDNS on the LAN, a bootstrap list, and the circuit-relay v2 client with DCUtR and
 * AutoNAT, so home peers behind NAT reach each other through a relay and then directly. With `relay` the peer
 * also serves as a relay for others, with limits raised for our protocols (the defaults, 2 minutes and
 * 128 KiB per relayed connection, are too small for model payloads): `RELAY_LIMITS`. A relay cannot see which
 * protocol runs inside a relayed connection (it is encrypted end to end), so the limit is per connection; our
 * protocols and gossip run over such limited connections, and DCUtR upgrades them to direct ones when it can.
 *
 * Gossip topics are joined through `subscribe(handler)`: every inbound message runs through
 * `validateGossip` (size cap, strict decode, checks) before gossipsub forwards it, and the outcome is counted.
 */
import './polyfill.js';
import { autoNAT } from '@libp2p/autonat';
import { bootstrap } from '@libp2p/bootstrap';
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { dcutr } from '@libp2p/dcutr';
import { gossipsub, TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { PrivateKey } from '@libp2p/interface';
import { kadDHT, removePrivateAddressesMapper, removePublicAddressesMapper } from '@libp2p/kad-dht';
import { mdns } from '@libp2p/mdns';
import { noise } from '@libp2p/noise';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { GossipStats, validateGossip, type TopicHandler } from './gossip.js';
import { DEFAULT_MISBEHAVIOUR, Misbehaviour, type MisbehaviourOptions } from './misbehaviour.js';

/** Every protocol id of ours is versioned: `/airtist/<name>/<major.minor.patch>`. */
export const protocolId = (name: string, version = '1.0.0') => `/airtist/${name}/${version}`;

/**
 * What our relays allow one relayed connection: an hour and 64 MiB, enough for a joiner's state download
 * (8.7 MB for the default run) and an hour of rounds' payloads, yet bounded, so a relay is no open proxy.
 * The peers reconnect through the relay when a limit ends a connection.
 */
export const RELAY_LIMITS = { durationMs: 60 * 60_000, dataBytes: 64n * 2n ** 20n };

/** Gossipsub's own cap on one RPC; payloads that could exceed 1 MiB travel over stream protocols instead. */
const MAX_GOSSIP_BYTES = 1 << 20;

export interface PeerOptions {
  privateKey: PrivateKey;
  /** Multiaddrs to listen on, e.g. /ip4/0.0.0.0/tcp/7358 and /ip4/0.0.0.0/tcp/7359/ws. */
  listen: string[];
  /** Addresses to tell others instead of the ones found (a public address or a DNS name). */
  announce?: string[];
  /** Peers to join through (their multiaddrs with /p2p/<id>). */
  bootstrap?: string[];
  /** Find peers on the LAN by multicast DNS. */
  mdns?: boolean;
  /** Serve as a circuit relay for peers behind NAT. */
  relay?: boolean;
  /** Keep private and loopback addresses in the DHT (a LAN or a test on loopback); default: public only. */
  privateNetwork?: boolean;
  maxConnections?: number;
  /** When repeated invalid data gets a peer cut off (default: 20 strikes a minute, a 10-minute ban). */
  misbehaviour?: MisbehaviourOptions;
}

export interface Peer {
  readonly libp2p: Libp2p<{ pubsub: GossipSub }>;
  readonly peerId: string;
  readonly stats: GossipStats;
  readonly misbehaviour: Misbehaviour;
  /** The multiaddrs others can dial, with /p2p/<id>. */
  addresses(): string[];
  subscribe<T>(handler: TopicHandler<T>): void;
  /** Publishes to a topic; the number of peers it reached. */
  publish(topic: string, data: Uint8Array): Promise<number>;
  dial(address: string): Promise<void>;
  /** One strike against a peer that sent invalid data (a rejected message, a malformed request); enough of them ban it. */
  strike(peer: string): void;
  stop(): Promise<void>;
}

export async function startPeer(options: PeerOptions): Promise<Peer> {
  const discovery = [
    // Reported at once (the default waits a second): a joining peer should not idle before it can sync.
    ...(options.bootstrap?.length ? [bootstrap({ list: options.bootstrap, timeout: 0 })] : []),
    ...(options.mdns ? [mdns()] : []),
  ];
  const stats = new GossipStats();
  const misbehaviour = new Misbehaviour(options.misbehaviour ?? DEFAULT_MISBEHAVIOUR);
  const refused = (peerId: { toString(): string }) => misbehaviour.banned(peerId.toString());

  const libp2p = await createLibp2p({
    privateKey: options.privateKey,
    addresses: { listen: options.listen, ...(options.announce ? { announce: options.announce } : {}) },
    transports: [tcp(), webSockets(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: options.maxConnections ?? 64 },
    connectionGater: { denyDialPeer: refused, denyInboundEncryptedConnection: refused, denyOutboundEncryptedConnection: refused },
    peerDiscovery: discovery,
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictSign',
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        maxInboundDataLength: MAX_GOSSIP_BYTES + 64 * 1024,
        // Many peers behind one address are a Sybil sign on the internet, but the normal case on a LAN or a
        // test machine: there gossipsub's colocation penalty (past 10 peers per IP) would silence the swarm.
        ...(options.privateNetwork ? { scoreParams: { IPColocationFactorWeight: 0 } } : {}),
        // A relayed connection is "limited" (RELAY_LIMITS): behind NAT it is the only way to a peer at first.
        runOnLimitedConnection: true,
      }),
      dht: kadDHT({
        protocol: protocolId('kad'),
        clientMode: false,
        peerInfoMapper: options.privateNetwork ? removePublicAddressesMapper : removePrivateAddressesMapper,
      }),
      dcutr: dcutr(),
      autoNAT: autoNAT({ protocolPrefix: 'airtist' }),
      ...(options.relay
        ? {
            relay: circuitRelayServer({
              reservations: { maxReservations: 128, defaultDurationLimit: RELAY_LIMITS.durationMs, defaultDataLimit: RELAY_LIMITS.dataBytes },
            }),
          }
        : {}),
    },
  });

  // mDNS and bootstrap discover peers but do not dial them: dial here.
  libp2p.addEventListener('peer:discovery', (event) => {
    void libp2p.dial(event.detail.id).catch(() => undefined);
  });

  const pubsub = libp2p.services.pubsub;
  const handlers = new Map<string, TopicHandler<unknown>>();
  const strike = (peer: string) => {
    if (!misbehaviour.strike(peer)) return;
    const banned = libp2p.getPeers().find((id) => id.toString() === peer);
    if (banned) void libp2p.hangUp(banned).catch(() => undefined);
  };

  return {
    libp2p: libp2p as unknown as Libp2p<{ pubsub: GossipSub }>,
    peerId: libp2p.peerId.toString(),
    stats,
    misbehaviour,
    strike,
    addresses: () => libp2p.getMultiaddrs().map((address) => address.toString()),
    subscribe<T>(handler: TopicHandler<T>) {
      handlers.set(handler.topic, handler as TopicHandler<unknown>);
      pubsub.topicValidators.set(handler.topic, async (from, message) => {
        const outcome = await validateGossip(handler, message.data, from.toString(), stats);
        if (outcome === 'reject') strike(from.toString());
        return outcome === 'accept' ? TopicValidatorResult.Accept : outcome === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore;
      });
      pubsub.subscribe(handler.topic);
    },
    async publish(topic, data) {
      if (data.length > MAX_GOSSIP_BYTES) throw new RangeError(`${data.length} bytes is too large for gossip: send it over a stream`);
      const { recipients } = await pubsub.publish(topic, data);
      return recipients.length;
    },
    async dial(address) {
      await libp2p.dial(multiaddr(address));
    },
    async stop() {
      for (const topic of handlers.keys()) pubsub.unsubscribe(topic);
      await libp2p.stop();
    },
  };
}
