import { describe, expect, it } from 'vitest';
import { ByteReader, CodecError } from '../../../../worker/p2p/codec.js';
import { GossipStats, validateGossip, type TopicHandler } from '../../../../worker/p2p/gossip.js';
import { SignatureError } from '../../../../worker/p2p/signed.js';

const topic = '/airtist/test/1';
function handler(overrides: Partial<TopicHandler<number>> = {}) {
  const delivered: Array<[number, string]> = [];
  const h: TopicHandler<number> = {
    topic,
    maxBytes: 8,
    decode(bytes) {
      const reader = new ByteReader(bytes);
      const round = reader.u32('round');
      reader.end();
      return round;
    },
    check: (round) => (round < 10 ? { outcome: 'ignore', reason: 'stale-round' } : round > 1000 ? { outcome: 'reject', reason: 'future-round' } : { outcome: 'accept' }),
    deliver: (round, from) => void delivered.push([round, from]),
    ...overrides,
  };
  return { h, delivered };
}
const u32 = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);

describe('validateGossip', () => {
  it('delivers what passes, and counts every outcome by topic and reason', async () => {
    const { h, delivered } = handler();
    const stats = new GossipStats();
    expect(await validateGossip(h, u32(42), 'peer-a', stats)).toBe('accept');
    expect(await validateGossip(h, u32(3), 'peer-a', stats)).toBe('ignore');
    expect(await validateGossip(h, u32(5000), 'peer-b', stats)).toBe('reject');
    expect(await validateGossip(h, new Uint8Array(3), 'peer-b', stats)).toBe('reject');
    expect(await validateGossip(h, new Uint8Array(9), 'peer-b', stats)).toBe('reject');
    expect(delivered).toEqual([[42, 'peer-a']]);
    expect(stats.rows().sort((a, b) => a.reason.localeCompare(b.reason))).toEqual([
      { topic, outcome: 'reject', reason: 'future-round', count: 1 },
      { topic, outcome: 'reject', reason: 'malformed', count: 1 },
      { topic, outcome: 'ignore', reason: 'stale-round', count: 1 },
      { topic, outcome: 'reject', reason: 'too-large', count: 1 },
      { topic, outcome: 'accept', reason: 'valid', count: 1 },
    ]);
  });

  it('checks the size before decoding anything', async () => {
    let decoded = 0;
    const { h } = handler({ decode: () => ++decoded });
    await validateGossip(h, new Uint8Array(1 << 20), 'peer', new GossipStats());
    expect(decoded).toBe(0);
  });

  it("turns a handler's own bug into an ignore, never a throw", async () => {
    const stats = new GossipStats();
    const thrower = () => {
      throw new TypeError('a bug');
    };
    expect(await validateGossip(handler({ decode: thrower }).h, u32(42), 'p', stats)).toBe('ignore');
    expect(await validateGossip(handler({ check: thrower }).h, u32(42), 'p', stats)).toBe('ignore');
    expect(await validateGossip(handler({ deliver: thrower }).h, u32(42), 'p', stats)).toBe('accept');
    expect(await validateGossip(handler({ decode: () => { throw new CodecError('bad'); } }).h, u32(42), 'p', stats)).toBe('reject');
    expect(await validateGossip(handler({ decode: () => Promise.reject(new SignatureError('bad signature')) }).h, u32(42), 'p', stats)).toBe('reject');
    expect(stats.total(topic, 'reject', 'malformed')).toBe(1);
    expect(stats.total(topic, 'reject', 'bad-signature')).toBe(1); // a forgery is told apart from garbage
    expect(stats.total(topic, 'ignore', 'internal')).toBe(2);
    expect(stats.total(topic, 'ignore', 'delivery-failed')).toBe(1);
  });
});
