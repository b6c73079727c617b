/**
 * A peer that others cannot dial (behind NAT: here, one with no listen address of its own) is reached through
 * one of our relays: its reservation holds, a stream request over the relayed connection carries more than
 * the circuit-relay default of 128 KiB, and gossip flows over it too.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { afterAll, describe, expect, it } from 'vitest';
import { protocolId, RELAY_LIMITS } from '../../../../worker/p2p/peer.js';
import { request, serve } from '../../../../worker/p2p/request.js';
import { loopbackPeers, until } from '../../../helpers/peers.js';

const PROTOCOL = protocolId('test-relayed');
const ANSWER_BYTES = 1 << 20; // 8 × the default limit of a relayed connection

describe('through a relay', { timeout: 60_000 }, () => {
  const peers = loopbackPeers();
  afterAll(() => peers.stopAll());

  it('reaches a peer with no address of its own, with room for a model payload', async () => {
    const relay = await peers.start({ relay: true });
    const hidden = await peers.start({ listen: [`${relay.addresses()[0]}/p2p-circuit`] });
    await until(() => hidden.addresses().some((a) => a.includes('/p2p-circuit')), 'a reservation on the relay');
    const circuit = hidden.addresses().find((a) => a.includes('/p2p-circuit'))!;
    expect(hidden.addresses().every((a) => a.includes('/p2p-circuit'))).toBe(true); // nothing to dial directly

    const answer = Uint8Array.from({ length: ANSWER_BYTES }, (_, i) => (i * 7) & 0xff);
    serve(hidden.libp2p, PROTOCOL, { maxRequestBytes: 64, timeoutMs: 20_000, perMinute: 10 }, async () => [
      answer.subarray(0, ANSWER_BYTES / 2),
      answer.subarray(ANSWER_BYTES / 2),
    ]);

    const client = await peers.start({ listen: [] });
    await client.dial(circuit);
    const [connection] = client.libp2p.getConnections(peerIdFromString(hidden.peerId));
    expect(connection?.remoteAddr.toString()).toContain('/p2p-circuit');
    // A limited connection, with what remains of our relays' limit (the handshake has used a little).
    expect(connection?.limits?.bytes).toBeGreaterThan(RELAY_LIMITS.dataBytes - 64n * 1024n);

    const frames = await request(client.libp2p, peerIdFromString(hidden.peerId), PROTOCOL, new Uint8Array([1]), { timeoutMs: 20_000, maxFrameBytes: 1 << 20 });
    expect(Buffer.concat(frames).equals(Buffer.from(answer))).toBe(true);

    // Gossip over the same relayed connection.
    const topic = 'airtist-test-relayed';
    const heard: string[] = [];
    hidden.libp2p.services.pubsub.subscribe(topic);
    hidden.libp2p.services.pubsub.addEventListener('message', (event) => heard.push(new TextDecoder().decode(event.detail.data)));
    client.libp2p.services.pubsub.subscribe(topic);
    await until(async () => (await client.publish(topic, new TextEncoder().encode('hello'))) > 0 && heard.includes('hello'), 'gossip through the relay', 20_000);
  });
});
