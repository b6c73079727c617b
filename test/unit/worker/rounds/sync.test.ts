import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../worker/p2p/codec.js';
import {
  MAX_CHUNKS,
  chooseRecord,
  chunkHashes,
  decodeInfo,
  decodeStateRequest,
  encodeInfo,
  encodeStateRequest,
  rankCandidates,
  type StateInfo,
} from '../../../../worker/rounds/sync.js';
import { MAX_TOTALS_BYTES } from '../../../../worker/rewards/totals-codec.js';

const RUN = 'c3'.repeat(16);
const vector = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
const info = async (patch: Partial<StateInfo> = {}): Promise<StateInfo> => ({
  runId: RUN,
  round: 9,
  hash: createHash('sha256').update(vector).digest('hex'),
  total: vector.length,
  chunkBytes: 300,
  chunkHashes: await chunkHashes(vector, 300),
  commit: Uint8Array.of(4, 5, 6),
  totals: Uint8Array.of(7, 8, 9, 10, 11),
  ...patch,
});
const u32At = (bytes: Uint8Array, at: number, value: number) => {
  const copy = Uint8Array.from(bytes);
  new DataView(copy.buffer).setUint32(at, value, true);
  return copy;
};

describe('the state sync codec', () => {
  it('round-trips INFO, with a commit, without one, and for an empty state', async () => {
    for (const sample of [await info(), await info({ commit: null }), await info({ total: 0, chunkHashes: [] })]) {
      expect(decodeInfo(encodeInfo(sample))).toEqual(sample);
    }
    expect((await info()).chunkHashes).toHaveLength(4);
  });

  it.each<[string, (good: Uint8Array) => Uint8Array, RegExp]>([
    ['a truncated INFO', (b) => b.subarray(0, b.length - 1), /reward table: needs 5 bytes, 4 left/],
    ['an INFO without its reward table', (b) => b.subarray(0, b.length - 9), /reward table length: needs 4 bytes, 0 left/],
    ['bytes left over', (b) => Uint8Array.from([...b, 0]), /1 unexpected bytes after the message/],
    ['a chunk list cut short', (b) => b.subarray(0, 64 + 32 * 3), /chunk hash: needs 32 bytes/],
    ['a chunk count that does not fit the size', (b) => u32At(b, 60, 5), /chunk count: 5 chunks of 300 bytes cannot hold 1000 bytes/],
    ['more chunks than allowed', (b) => u32At(b, 60, MAX_CHUNKS + 1), /chunk count: 65537 is over the limit/],
    ['a state over 1 GiB', (b) => u32At(b, 52, 2 ** 30 + 1), /total: 1073741825 is over the limit/],
    ['a chunk size of 0', (b) => u32At(b, 56, 0), /chunk size: 0 is not within/],
    ['a chunk size over the limit', (b) => u32At(b, 56, 2 ** 23), /chunk size: 8388608 is not within/],
    ['a commit flag that is not 0 or 1', (b) => { const c = Uint8Array.from(b); c[64 + 128] = 2; return c; }, /commit flag: 2/],
    ['a commit over 1 MiB', (b) => u32At(b, 64 + 128 + 1, 2 ** 20 + 1), /commit length: 1048577 is over the limit/],
    ['a reward table over the limit', (b) => u32At(b, 64 + 128 + 1 + 4 + 3, MAX_TOTALS_BYTES + 1), new RegExp(`reward table length: ${MAX_TOTALS_BYTES + 1} is over the limit`)],
  ])('refuses %s with a CodecError', async (_, damage, message) => {
    const bad = damage(encodeInfo(await info()));
    expect(() => decodeInfo(bad)).toThrow(CodecError);
    expect(() => decodeInfo(bad)).toThrow(message);
  });

  it('round-trips requests and refuses unknown kinds and stray bytes', () => {
    const chunk = { kind: 'chunk', runId: RUN, hash: 'd4'.repeat(32), index: 70_000 } as const;
    expect(decodeStateRequest(encodeStateRequest({ kind: 'info', runId: RUN }))).toEqual({ kind: 'info', runId: RUN });
    expect(decodeStateRequest(encodeStateRequest(chunk))).toEqual(chunk);
    expect(() => decodeStateRequest(Uint8Array.of(3, ...new Uint8Array(16)))).toThrow(new CodecError('unknown request kind 3'));
    expect(() => decodeStateRequest(Uint8Array.from([...encodeStateRequest(chunk), 0]))).toThrow(CodecError);
    expect(() => decodeStateRequest(encodeStateRequest(chunk).subarray(0, 52))).toThrow(CodecError);
    expect(() => decodeStateRequest(new Uint8Array(0))).toThrow(CodecError);
  });
});

describe('choosing the commit and reward table that come with a state', () => {
  const report = (commit: number, totals: number): StateInfo => ({ runId: RUN, round: 5, hash: 'a'.repeat(64), total: 0, chunkBytes: 300, chunkHashes: [], commit: Uint8Array.of(commit), totals: Uint8Array.of(totals) });

  it('takes the pair most peers report, whichever peer answered last', () => {
    const infos = new Map([['p1', report(1, 7)], ['p2', report(1, 7)], ['p3', report(1, 8)]]);
    expect(chooseRecord(['p1', 'p2', 'p3'], infos)).toEqual({ commit: Uint8Array.of(1), totals: Uint8Array.of(7) });
    // Only the peers that served the state's chunks vote.
    expect(chooseRecord(['p3'], infos)).toEqual({ commit: Uint8Array.of(1), totals: Uint8Array.of(8) });
  });
});

describe('choosing the state to download', () => {
  const report = (round: number, hash: string, chunkBytes = 300): StateInfo => ({ runId: RUN, round, hash, total: 600, chunkBytes, chunkHashes: [], commit: null, totals: new Uint8Array(4) });

  it('takes the most reported state, then the later round, then the lower hash', () => {
    const [a, b, c] = ['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];
    const rank = (reports: [string, StateInfo][]) => rankCandidates(new Map(reports)).map(({ round, hash, peers }) => ({ round, hash, peers }));
    expect(rank([['p1', report(5, a)], ['p2', report(7, b)], ['p3', report(5, a)]])).toEqual([
      { round: 5, hash: a, peers: ['p1', 'p3'] },
      { round: 7, hash: b, peers: ['p2'] },
    ]);
    expect(rank([['p1', report(5, a)], ['p2', report(7, b)]]).map((s) => s.round)).toEqual([7, 5]);
    expect(rank([['p1', report(7, c)], ['p2', report(7, b)]]).map((s) => s.hash)).toEqual([b, c]);
  });

  it('keeps chunk lists apart within a state, the most reported first', () => {
    const a = 'a'.repeat(64);
    const [state] = rankCandidates(new Map([['p1', report(5, a, 200)], ['p2', report(5, a)], ['p3', report(5, a)]]));
    expect(state!.lists.map((list) => [list.info.chunkBytes, list.peers])).toEqual([[300, ['p2', 'p3']], [200, ['p1']]]);
  });
});

describe('chunk hashing', () => {
  it('yields to the event loop between chunks', async () => {
    const big = new Uint8Array(64 << 20);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    const hashes = await chunkHashes(big, 1 << 20);
    const ms = performance.now() - started;
    clearInterval(timer);
    expect(hashes).toHaveLength(64);
    expect(Buffer.from(hashes[63]!).equals(createHash('sha256').update(big.subarray(0, 1 << 20)).digest())).toBe(true);
    // Blocking, the timer could not fire until the end; yielding, it fires between most chunks.
    expect(ticks, `${ticks} ticks in ${ms.toFixed(0)} ms`).toBeGreaterThan(16);
  });
});
