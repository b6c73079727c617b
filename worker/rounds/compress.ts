/**
 * The contribution codec after SparseLoCo: error feedback, top-k per chunk, 2-bit values, bit-packed indices.
 *
 * A peer's pseudo-gradient Δ joins its error-feedback buffer, e ← β·e + Δ. The flat vector is cut into chunks
 * of `chunk` values (4096); in each, the `k` (64) largest |e| are kept. Their values are quantized to 2 bits
 * against a table of four bin means (negative large / small, positive small / large, split at each sign's
 * median magnitude), and their positions within the chunk take 12 bits each. Codes and indices are bit-packed
 * for real — 14 bits per kept value, 112 bytes per 4096-value chunk against 16 KiB of float32 (≈146×).
 * What was sent, as the receiver will decode it, is taken out of e, so what is not sent now is sent later.
 *
 * Everything is a pure function of its inputs in a fixed order (ties broken by position), so every peer that
 * decodes a payload gets the same floats. Pure: typed arrays only.
 */
import { ByteReader, ByteWriter, CodecError } from '../p2p/codec.js';

export interface CompressionOptions {
  /** Values per chunk; indices within a chunk must fit `INDEX_BITS`. */
  chunk: number;
  /** Values kept per chunk. */
  k: number;
  /** Error-feedback decay. */
  beta: number;
}

export const SPARSELOCO_DEFAULTS: CompressionOptions = { chunk: 4096, k: 64, beta: 0.95 };

const INDEX_BITS = 12;
const CODE_BITS = 2;
const FORMAT = 1;
/** Refused above this many values: 256 M floats is a 1 GiB model, far past what a home peer trains. */
const MAX_VALUES = 1 << 28;

/** A payload that decodes to values that are not numbers: a poisoner's, never an encoder's. */
export class NonFiniteUpdateError extends CodecError {}

/** A sparse update: positions ascending, with the value decoded for each. */
export interface SparseUpdate {
  size: number;
  indices: Uint32Array;
  values: Float32Array;
}

/**
 * Adds `delta` into `error` (in place: e ← β·e + Δ), picks what to send, takes it out of `error`, and returns
 * the encoded payload with the update it decodes to.
 */
export function compress(delta: Float32Array, error: Float32Array, options: CompressionOptions = SPARSELOCO_DEFAULTS): { payload: Uint8Array; update: SparseUpdate } {
  const { chunk, k, beta } = options;
  if (delta.length !== error.length) throw new RangeError(`delta has ${delta.length} values, the error buffer ${error.length}`);
  if (chunk > 1 << INDEX_BITS || chunk < 1 || k < 1 || k > chunk) throw new RangeError(`bad chunking: ${k} of ${chunk}`);
  for (let i = 0; i < error.length; i++) error[i] = Math.fround(beta * error[i]! + delta[i]!);

  const picked: number[] = [];
  const scratch = new Float32Array(chunk);
  for (let start = 0; start < error.length; start += chunk) pickLargest(error, start, Math.min(error.length, start + chunk), k, scratch, picked);
  const table = binMeans(picked.map((i) => error[i]!));
  const codes = picked.map((i) => codeOf(error[i]!, table));

  const writer = new ByteWriter().u8(FORMAT).u32(error.length).u16(chunk).u16(k);
  for (const mean of table.means) writer.f32(mean);
  const bits = new BitWriter();
  picked.forEach((position, i) => {
    bits.write(position % chunk, INDEX_BITS);
    bits.write(codes[i]!, CODE_BITS);
  });
  writer.bytesField(bits.finish());

  const update: SparseUpdate = {
    size: error.length,
    indices: Uint32Array.from(picked),
    values: Float32Array.from(codes, (code) => table.means[code]!),
  };
  update.indices.forEach((position, i) => (error[position] = Math.fround(error[position]! - update.values[i]!)));
  return { payload: writer.finish(), update };
}

/**
 * Appends to `out`, ascending, the positions of the `k` largest |values| in [start, end); of equal magnitudes
 * the lower positions win. Linear time: the k-th largest magnitude is found by selection on a scratch copy,
 * then one pass in position order takes every magnitude above it and as many equal to it as there is room.
 */
function pickLargest(values: Float32Array, start: number, end: number, k: number, scratch: Float32Array, out: number[]): void {
  const n = end - start;
  if (k >= n) {
    for (let i = start; i < end; i++) out.push(i);
    return;
  }
  for (let i = 0; i < n; i++) scratch[i] = Math.abs(values[start + i]!);
  const threshold = kthLargest(scratch, n, k);
  let above = 0;
  for (let i = start; i < end; i++) if (Math.abs(values[i]!) > threshold) above++;
  let ties = k - above;
  for (let i = start; i < end; i++) {
    const magnitude = Math.abs(values[i]!);
    if (magnitude > threshold || (magnitude === threshold && ties-- > 0)) out.push(i);
  }
}

/** The k-th largest of the first `n` values (reorders them): quickselect with a median-of-three pivot. */
function kthLargest(values: Float32Array, n: number, k: number): number {
  let low = 0;
  let high = n - 1;
  const target = k - 1; // in descending order
  while (low < high) {
    const middle = (low + high) >>> 1;
    const a = values[low]!;
    const b = values[middle]!;
    const c = values[high]!;
    const pivot = a > b ? (b > c ? b : a > c ? c : a) : a > c ? a : b > c ? c : b;
    let i = low;
    let j = high;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) high = j;
    else if (target >= i) low = i;
    else return values[target]!;
  }
  return values[target]!;
}

/** Decodes a payload strictly: anything malformed is a `CodecError`, never a partial update. */
export function decompress(payload: Uint8Array, expectedSize: number): SparseUpdate {
  const reader = new ByteReader(payload);
  const format = reader.u8('format');
  if (format !== FORMAT) throw new CodecError(`format ${format} is not supported`);
  const size = reader.u32('size');
  if (size !== expectedSize || size > MAX_VALUES) throw new CodecError(`the update has ${size} values, the model ${expectedSize}`);
  const chunk = reader.u16('chunk');
  const k = reader.u16('k');
  if (chunk < 1 || chunk > 1 << INDEX_BITS || k < 1 || k > chunk) throw new CodecError(`bad chunking: ${k} of ${chunk}`);
  const means = Array.from({ length: 4 }, (_, i) => reader.f32(`mean ${i}`));
  if (!means.every(Number.isFinite)) throw new NonFiniteUpdateError('a bin mean is not finite');
  const chunks = Math.ceil(size / chunk);
  const count = Array.from({ length: chunks }, (_, c) => Math.min(k, Math.min(size, (c + 1) * chunk) - c * chunk)).reduce((a, b) => a + b, 0);
  const packed = reader.bytesField('values', Math.ceil((count * (INDEX_BITS + CODE_BITS)) / 8));
  reader.end();
  if (packed.length !== Math.ceil((count * (INDEX_BITS + CODE_BITS)) / 8)) throw new CodecError('the packed values are truncated');

  const bits = new BitReader(packed);
  const indices = new Uint32Array(count);
  const values = new Float32Array(count);
  let n = 0;
  for (let c = 0; c < chunks; c++) {
    const start = c * chunk;
    const length = Math.min(size, start + chunk) - start;
    let previous = -1;
    for (let i = 0; i < Math.min(k, length); i++) {
      const offset = bits.read(INDEX_BITS);
      const code = bits.read(CODE_BITS);
      // Strictly ascending within the chunk and inside it: one canonical encoding per update.
      if (offset <= previous || offset >= length) throw new CodecError(`chunk ${c}: index ${offset} out of order or range`);
      previous = offset;
      indices[n] = start + offset;
      values[n] = means[code]!;
      n++;
    }
  }
  if (!bits.onlyPaddingLeft()) throw new CodecError('padding bits are not zero');
  return { size, indices, values };
}

/** Adds `scale ·` the update into `into`, in index order. */
export function addSparse(into: Float32Array, update: SparseUpdate, scale = 1): void {
  update.indices.forEach((position, i) => (into[position] = Math.fround(into[position]! + scale * update.values[i]!)));
}

interface BinTable {
  /** Means of: negative large, negative small, positive small, positive large. */
  means: [number, number, number, number];
  negativeSplit: number;
  positiveSplit: number;
}

/** Median of the magnitudes, a deterministic split for two bins. */
function medianMagnitude(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.map(Math.abs).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function binMeans(values: number[]): BinTable {
  const negativeSplit = medianMagnitude(values.filter((v) => v < 0));
  const positiveSplit = medianMagnitude(values.filter((v) => v >= 0));
  const sums = [0, 0, 0, 0];
  const counts = [0, 0, 0, 0];
  const table: BinTable = { means: [0, 0, 0, 0], negativeSplit, positiveSplit };
  for (const v of values) {
    const code = codeOf(v, table);
    sums[code]! += v;
    counts[code]!++;
  }
  table.means = sums.map((sum, i) => (counts[i] ? Math.fround(sum / counts[i]!) : 0)) as BinTable['means'];
  return table;
}

function codeOf(value: number, { negativeSplit, positiveSplit }: BinTable): number {
  if (value < 0) return -value > negativeSplit ? 0 : 1;
  return value > positiveSplit ? 3 : 2;
}

/** Writes values of a few bits each, most significant bit first, into bytes. */
class BitWriter {
  private readonly bytes: number[] = [];
  private current = 0;
  private used = 0;

  write(value: number, width: number): void {
    for (let bit = width - 1; bit >= 0; bit--) {
      this.current = (this.current << 1) | ((value >>> bit) & 1);
      if (++this.used === 8) {
        this.bytes.push(this.current);
        this.current = 0;
        this.used = 0;
      }
    }
  }

  finish(): Uint8Array {
    if (this.used > 0) this.bytes.push(this.current << (8 - this.used));
    return Uint8Array.from(this.bytes);
  }
}

class BitReader {
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {}

  read(width: number): number {
    let value = 0;
    for (let i = 0; i < width; i++) {
      const byte = this.bytes[this.position >>> 3];
      if (byte === undefined) throw new CodecError('the packed values end early');
      value = (value << 1) | ((byte >>> (7 - (this.position & 7))) & 1);
      this.position++;
    }
    return value;
  }

  onlyPaddingLeft(): boolean {
    while (this.position < this.bytes.length * 8) if (this.read(1) !== 0) return false;
    return true;
  }
}
