/**
 * Two real libp2p peers on loopback (TCP, Noise, Yamux, gossipsub): one joins through the other as its
 * bootstrap peer, a valid message is delivered, and malformed and oversized ones are rejected and counted
 * while the receiving peer keeps running.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../../../worker/p2p/codec.js';
import type { TopicHandler } from '../../../../worker/p2p/gossip.js';
import { protocolId } from '../../../../worker/p2p/peer.js';
import { loopbackPeers, until } from '../../../helpers/peers.js';

const TOPIC = protocolId('test-hello');

function hello(received: string[]): TopicHandler<string> {
  return {
    topic: TOPIC,
    maxBytes: 256,
    decode(bytes) {
      const reader = new ByteReader(bytes);
      if (reader.u8('version') !== 1) throw new Error('unreachable');
      const text = reader.string('text', 64);
      reader.end();
      return text;
    },
    check: (text) => (text.length > 0 ? { outcome: 'accept' } : { outcome: 'reject', reason: 'empty' }),
    deliver: (text) => void received.push(text),
  };
}

describe('peers on loopback', { timeout: 60_000 }, () => {
  const peers = loopbackPeers();
  afterAll(() => peers.stopAll());

  it('find each other through a bootstrap peer and gossip; bad messages are rejected, counted, survived', async () => {
    const a = await peers.start();
    const address = a.addresses().find((addr) => addr.includes('/tcp/'))!;
    expect(address).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/${a.peerId}$`));
    const b = await peers.start({ bootstrap: [address] });

    const atA: string[] = [];
    const atB: string[] = [];
    a.subscribe(hello(atA));
    b.subscribe(hello(atB));
    await until(() => b.libp2p.getConnections().some((c) => c.remotePeer.toString() === a.peerId), 'b to connect to a');
    await until(() => a.libp2p.services.pubsub.getSubscribers(TOPIC).some((p) => p.toString() === b.peerId), 'a to see b subscribed');

    await until(async () => (await a.publish(TOPIC, new ByteWriter().u8(1).string('hello from a').finish())) > 0, 'a to reach b');
    await until(() => atB.includes('hello from a'), 'b to receive the message');
    expect(b.stats.total(TOPIC, 'accept')).toBeGreaterThanOrEqual(1);

    // Malformed (trailing byte), oversized, and valid-but-refused (empty text): each rejected by b, never delivered.
    await a.publish(TOPIC, Uint8Array.from([...new ByteWriter().u8(1).string('x').finish(), 0]));
    await a.publish(TOPIC, new ByteWriter().u8(1).string('y'.repeat(300)).finish());
    await a.publish(TOPIC, new ByteWriter().u8(1).string('').finish());
    await until(() => b.stats.total(TOPIC, 'reject') >= 3, 'b to reject the three bad messages');
    expect(b.stats.total(TOPIC, 'reject', 'malformed')).toBe(1);
    expect(b.stats.total(TOPIC, 'reject', 'too-large')).toBe(1);
    expect(b.stats.total(TOPIC, 'reject', 'empty')).toBe(1);
    expect(atB).toEqual(['hello from a']);

    // b still works, both ways.
    await b.publish(TOPIC, new ByteWriter().u8(1).string('still here').finish());
    await until(() => atA.includes('still here'), 'a to hear from b again');
    await expect(a.publish(TOPIC, new Uint8Array((1 << 20) + 1))).rejects.toThrow(/too large for gossip: send it over a stream/);
  });

  it('cut off a peer that keeps sending invalid data, and refuse it until the ban ends', async () => {
    const a = await peers.start();
    const strict = await peers.start({ misbehaviour: { limit: 3, windowMs: 60_000, banMs: 60_000 } });
    a.subscribe(hello([]));
    strict.subscribe(hello([]));
    await a.dial(strict.addresses().find((addr) => addr.includes('/tcp/'))!);
    await until(() => a.libp2p.services.pubsub.getSubscribers(TOPIC).some((p) => p.toString() === strict.peerId), 'a to see the strict peer subscribed');

    // Two bad messages: strikes, not yet a ban.
    for (const text of ['', '']) await a.publish(TOPIC, new ByteWriter().u8(1).string(text).finish());
    await until(() => strict.stats.total(TOPIC, 'reject') >= 2, 'two rejects');
    expect(strict.misbehaviour.banned(a.peerId)).toBe(false);
    expect(strict.libp2p.getPeers().map(String)).toContain(a.peerId);

    await a.publish(TOPIC, new ByteWriter().u8(1).string('').finish());
    await until(() => !strict.libp2p.getPeers().map(String).includes(a.peerId), 'the strict peer to hang up on a');
    expect(strict.misbehaviour.banned(a.peerId)).toBe(true);
    expect(strict.misbehaviour.banCount).toBe(1);
    // Neither side gets a connection through while the ban lasts.
    await expect(strict.libp2p.dial(a.libp2p.peerId)).rejects.toThrow();
    await a.dial(strict.addresses().find((addr) => addr.includes('/tcp/'))!).catch(() => undefined);
    await until(() => !a.libp2p.getPeers().map(String).includes(strict.peerId), 'the strict peer to drop the redial');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(strict.libp2p.getPeers().map(String)).not.toContain(a.peerId);
  });
});
