import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, CodecError } from '../../../../worker/p2p/codec.js';

/** A sample message: version u8, round u32, name string ≤ 16 bytes, payload ≤ 64 bytes. */
const encode = (round: number, name: string, payload: Uint8Array) =>
  new ByteWriter().u8(1).u32(round).string(name).bytesField(payload).finish();
const decode = (bytes: Uint8Array) => {
  const reader = new ByteReader(bytes);
  const message = { version: reader.u8('version'), round: reader.u32('round'), name: reader.string('name', 16), payload: reader.bytesField('payload', 64) };
  reader.end();
  return message;
};

describe('the peer message codec', () => {
  it('round-trips every field exactly', () => {
    const payload = Uint8Array.from({ length: 64 }, (_, i) => i * 3);
    for (const [round, name] of [[0, ''], [1, 'a'], [0xffffffff, 'ünïcødé ✓']] as const) {
      const decoded = decode(encode(round, name, payload));
      expect(decoded).toEqual({ version: 1, round, name, payload });
    }
  });

  it.each<[string, (good: Uint8Array) => Uint8Array, RegExp]>([
    ['a truncated message', (b) => b.subarray(0, b.length - 1), /needs 10 bytes, 9 left/],
    ['bytes left over', (b) => Uint8Array.from([...b, 0]), /1 unexpected bytes after the message/],
    ['an empty message', () => new Uint8Array(0), /version: needs 1 bytes, 0 left/],
    ['a length past the limit', (b) => { const c = Uint8Array.from(b); new DataView(c.buffer).setUint32(5, 17, true); return c; }, /name length: 17 is over the limit of 16/],
    ['a huge length prefix', (b) => { const c = Uint8Array.from(b); new DataView(c.buffer).setUint32(5, 0xffffffff, true); return c; }, /over the limit/],
    ['invalid UTF-8', (b) => { const c = Uint8Array.from(b); c[9] = 0xff; return c; }, /name: not valid UTF-8/],
  ])('refuses %s with a CodecError', (_, damage, message) => {
    const good = encode(7, 'peer', new Uint8Array(10));
    expect(() => decode(damage(good))).toThrow(CodecError);
    expect(() => decode(damage(good))).toThrow(message);
  });
});
