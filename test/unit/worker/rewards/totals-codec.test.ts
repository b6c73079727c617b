/** The reward table as a state sync carries it: one encoding per table, anything else refused. */
import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../worker/p2p/codec.js';
import { MAX_REWARD_ADDRESSES, decodeTotals, encodeTotals } from '../../../../worker/rewards/totals-codec.js';

const address = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;
const MAX_UINT256 = (1n << 256n) - 1n;

describe('the reward table codec', () => {
  it('round-trips a table in any order to one encoding, dropping zero totals', () => {
    const table = new Map([[address(3), 1n], [address(1), MAX_UINT256], [address(2), 2_850_000_000_000_000_000_000n], [address(4), 0n]]);
    const bytes = encodeTotals(table);
    expect(encodeTotals(new Map([...table].reverse()))).toEqual(bytes);
    expect(decodeTotals(bytes)).toEqual(new Map([[address(1), MAX_UINT256], [address(2), 2_850_000_000_000_000_000_000n], [address(3), 1n]]));
    expect(decodeTotals(encodeTotals(new Map()))).toEqual(new Map());
    // 4 (count) + 3 × (20 + 1) + 32 + 9 + 1 bytes of amounts.
    expect(bytes.length).toBe(4 + 3 * 21 + 32 + 9 + 1);
  });

  it('refuses what a table cannot hold', () => {
    expect(() => encodeTotals(new Map([['0xAB', 1n]]))).toThrow(/not a lowercase 0x address/);
    expect(() => encodeTotals(new Map([[address(1), -1n]]))).toThrow(/not a uint256/);
    expect(() => encodeTotals(new Map([[address(1), MAX_UINT256 + 1n]]))).toThrow(/not a uint256/);
  });

  const entry = (n: number, amount: number[]) => [...Buffer.from(address(n).slice(2), 'hex'), amount.length, ...amount];
  const table = (...entries: number[][]) => Uint8Array.from([entries.length, 0, 0, 0, ...entries.flat()]);

  it.each<[string, Uint8Array, RegExp]>([
    ['addresses out of order', table(entry(2, [1]), entry(1, [1])), /out of order or repeated/],
    ['an address twice', table(entry(1, [1]), entry(1, [2])), /out of order or repeated/],
    ['a zero-length amount', table(entry(1, [])), /an amount of 0 bytes/],
    ['an amount over 32 bytes', table(entry(1, new Array(33).fill(1))), /an amount of 33 bytes/],
    ['an amount with a leading zero byte', table(entry(1, [0, 1])), /leading zero/],
    ['a count past what follows', Uint8Array.of(2, 0, 0, 0, ...entry(1, [1])), /needs 20 bytes/],
    ['bytes left over', Uint8Array.from([...table(entry(1, [1])), 0]), /unexpected bytes/],
    ['a count over the limit', Uint8Array.of(0x01, 0x00, 0x01, 0x00), new RegExp(`over the limit of ${MAX_REWARD_ADDRESSES}`)],
  ])('refuses %s with a CodecError', (_, bytes, message) => {
    expect(() => decodeTotals(bytes)).toThrow(CodecError);
    expect(() => decodeTotals(bytes)).toThrow(message);
  });
});
