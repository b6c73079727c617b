/**
 * Request/response between two real peers on loopback: large answers in frames, reasons for refusals, and a
 * server that caps request size, rate-limits each peer and times out a stuck exchange, then goes on serving.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { afterAll, describe, expect, it } from 'vitest';
import { protocolId } from '../../../../worker/p2p/peer.js';
import { RequestError, request, serve } from '../../../../worker/p2p/request.js';
import { loopbackPeers } from '../../../helpers/peers.js';

const PROTOCOL = protocolId('test-fetch');

describe('request/response streams', { timeout: 60_000 }, () => {
  const peers = loopbackPeers();
  afterAll(() => peers.stopAll());

  it('answers in frames, refuses with reasons, and survives oversized, too frequent and stuck requests', async () => {
    const server = await peers.start();
    const client = await peers.start();
    await client.dial(server.addresses()[0]!);
    const chunk = (i: number) => Uint8Array.from({ length: 300_000 }, (_, j) => (i * 31 + j) & 0xff);
    const stats = serve(server.libp2p, PROTOCOL, { maxRequestBytes: 64, timeoutMs: 1000, perMinute: 6 }, async (body) => {
      const ask = new TextDecoder().decode(body);
      if (ask === 'weights') return [chunk(0), chunk(1), chunk(2)];
      if (ask === 'stuck') return new Promise<Uint8Array[]>(() => {});
      throw new RequestError(`nothing called ${ask}`);
    });
    const ask = (text: string) =>
      request(client.libp2p, peerIdFromString(server.peerId), PROTOCOL, new TextEncoder().encode(text), { timeoutMs: 5000, maxFrameBytes: 1 << 20 });

    const frames = await ask('weights');
    expect(frames.map((f) => f.length)).toEqual([300_000, 300_000, 300_000]);
    expect(frames.every((f, i) => Buffer.from(f).equals(Buffer.from(chunk(i))))).toBe(true);

    await expect(ask('round 99')).rejects.toThrow(new RequestError('nothing called round 99'));
    await expect(ask('x'.repeat(65))).rejects.toThrow(/a frame of 65 bytes is over the limit of 64/);
    await expect(ask('stuck')).rejects.toThrow();
    expect(stats.failed, JSON.stringify(stats)).toMatchObject({ malformed: 1, timeout: 1, handler: 1 });

    // Six requests a minute: the fifth and sixth are fine, the seventh is refused; the server is still there.
    expect(await ask('weights')).toHaveLength(3);
    expect(await ask('weights')).toHaveLength(3);
    await expect(ask('weights')).rejects.toThrow(/rate limited/);
    expect(stats).toMatchObject({ served: 3, failed: { 'rate-limited': 1 } });
  });
});
