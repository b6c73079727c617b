/** The node's peer service on loopback: what the dashboard's peer table shows of each connection. */
import { generateKeyPair } from '@libp2p/crypto/keys';
import { afterAll, describe, expect, it } from 'vitest';
import { startP2pService, type P2pService } from '../../../../worker/p2p/service.js';
import { until } from '../../../helpers/peers.js';

describe('peer service', { timeout: 60_000 }, () => {
  const services: P2pService[] = [];
  afterAll(() => Promise.all(services.map((s) => s.stop())));
  const start = async (bootstrap: string[] = []) => {
    const service = await startP2pService(await generateKeyPair('Ed25519'), { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, bootstrap }, () => {});
    services.push(service);
    return service;
  };

  it("lists each connected peer, direct, with the round trip libp2p's connection monitor measured", async () => {
    const first = await start();
    const second = await start([first.peer.addresses()[0]!]);
    await until(() => first.peers().some((p) => p.id === second.peer.peerId), 'the second peer to connect');
    expect(first.peers()).toEqual([{ id: second.peer.peerId, latencyMs: null, direct: true, address: expect.stringMatching(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+/) }]);
    // The monitor pings every connection every 10 s; loopback answers in a few milliseconds.
    await until(() => first.peers()[0]?.latencyMs !== null && second.peers()[0]?.latencyMs !== null, 'a round trip on both sides', 25_000);
    for (const service of [first, second]) expect(service.peers()[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(first.peers()[0]!.latencyMs).toBeLessThan(1000);
  });
});
