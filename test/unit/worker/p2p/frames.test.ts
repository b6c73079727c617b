import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../worker/p2p/codec.js';
import { frame, readFrames } from '../../../../worker/p2p/frames.js';

async function* chunks(bytes: Uint8Array, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}
const collect = async (source: AsyncIterable<Uint8Array>) => {
  const out: number[][] = [];
  for await (const body of source) out.push([...body]);
  return out;
};
const stream = (...bodies: number[][]) => Uint8Array.from(bodies.flatMap((b) => [...frame(Uint8Array.from(b))]));

describe('length-prefixed frames', () => {
  it('reassembles frames however the bytes are split, including empty frames', async () => {
    const bytes = stream([1, 2, 3], [], [4], Array.from({ length: 300 }, (_, i) => i & 0xff));
    for (const size of [1, 2, 5, 7, 1000]) {
      expect(await collect(readFrames(chunks(bytes, size), 300))).toEqual([[1, 2, 3], [], [4], Array.from({ length: 300 }, (_, i) => i & 0xff)]);
    }
  });

  it('refuses a frame over the cap as soon as its prefix arrives', async () => {
    const bytes = stream([1], Array.from({ length: 301 }, () => 0));
    const seen: number[][] = [];
    await expect(
      (async () => {
        for await (const body of readFrames(chunks(bytes.subarray(0, 5 + 4), 3), 300)) seen.push([...body]);
      })(),
    ).rejects.toThrow(new CodecError('a frame of 301 bytes is over the limit of 300'));
    expect(seen).toEqual([[1]]);
  });

  it('refuses a stream that ends inside a frame', async () => {
    const bytes = stream([1, 2, 3]);
    await expect(collect(readFrames(chunks(bytes.subarray(0, 6), 2), 10))).rejects.toThrow(/ended inside a frame/);
  });
});
