/**
 * The reward table on the wire: what a state sync carries beside the weights, so a peer that joins at round r
 * holds every address's cumulative total before r and can check it against the root r's commit names. Strict:
 * addresses ascend, each once; every amount is a whole, non-zero uint256 in its shortest big-endian form, so a
 * table has one encoding and a decoded table re-encodes to the same bytes.
 */
import { ByteReader, ByteWriter, CodecError } from '../p2p/codec.js';
import type { RewardTotals } from './merkle.js';

/** Addresses one table may hold; refused past this before anything is allocated. */
export const MAX_REWARD_ADDRESSES = 1 << 16;
/** The largest encoded table: a count, then per address 20 bytes, a length byte and up to 32 bytes. */
export const MAX_TOTALS_BYTES = 4 + MAX_REWARD_ADDRESSES * (20 + 1 + 32);

const ADDRESS = /^0x[0-9a-f]{40}$/;
const MAX_WEI = (1n << 256n) - 1n;

export function encodeTotals(totals: RewardTotals): Uint8Array {
  const entries = [...totals].filter(([, wei]) => wei !== 0n).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length > MAX_REWARD_ADDRESSES) throw new RangeError(`a reward table of ${entries.length} addresses is over the limit of ${MAX_REWARD_ADDRESSES}`);
  const writer = new ByteWriter().u32(entries.length);
  for (const [address, wei] of entries) {
    if (!ADDRESS.test(address)) throw new RangeError(`${JSON.stringify(address)} is not a lowercase 0x address`);
    if (wei < 0n || wei > MAX_WEI) throw new RangeError(`${address}: ${wei} is not a uint256`);
    const hex = wei.toString(16);
    const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
    writer.hex(address.slice(2), 20, 'address').u8(bytes.length).fixed(bytes);
  }
  return writer.finish();
}

/** Reads a table from `reader` (which the caller ends); throws CodecError on anything but the one encoding. */
export function readTotals(reader: ByteReader): Map<string, bigint> {
  const count = reader.count('reward addresses', MAX_REWARD_ADDRESSES);
  const totals = new Map<string, bigint>();
  let last = '';
  for (let i = 0; i < count; i++) {
    const address = `0x${reader.hex('address', 20)}`;
    if (!(address > last)) throw new CodecError('reward addresses out of order or repeated');
    last = address;
    const length = reader.u8('amount length');
    if (length < 1 || length > 32) throw new CodecError(`an amount of ${length} bytes`);
    const bytes = reader.fixed('amount', length);
    if (bytes[0] === 0) throw new CodecError('an amount with a leading zero byte');
    totals.set(address, BigInt(`0x${Buffer.from(bytes).toString('hex')}`));
  }
  return totals;
}

export function decodeTotals(bytes: Uint8Array): Map<string, bigint> {
  const reader = new ByteReader(bytes);
  const totals = readTotals(reader);
  reader.end();
  return totals;
}
