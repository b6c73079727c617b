import { describe, expect, it } from 'vitest';
import { CodecError } from '../../../../worker/p2p/codec.js';
import { addSparse, compress, decompress, SPARSELOCO_DEFAULTS } from '../../../../worker/rounds/compress.js';
import { gaussianArray, randomBelow, seededPrng } from '../../../../worker/training/data/prng.js';

const randomDelta = (n: number, seed: string) => gaussianArray(seededPrng(seed), n);

describe('SparseLoCo compression', () => {
  it('decodes to exactly the update it reports, and the same input gives the same bytes', () => {
    const delta = randomDelta(3 * 4096 + 1000, 'delta');
    const a = compress(delta, new Float32Array(delta.length));
    const b = compress(delta, new Float32Array(delta.length));
    expect(Buffer.from(a.payload).equals(Buffer.from(b.payload))).toBe(true);
    const decoded = decompress(a.payload, delta.length);
    expect(decoded.indices).toEqual(a.update.indices);
    expect(decoded.values).toEqual(a.update.values);
    expect(decoded.indices.length).toBe(4 * 64);
    // Node hands network bytes over as Buffers, often views into a shared pool: decode those too.
    const pooled = Buffer.concat([Buffer.from('prefix'), a.payload]).subarray(6);
    expect(decompress(pooled, delta.length).values).toEqual(a.update.values);
  });

  it('keeps the 64 largest magnitudes of each 4096-value chunk', () => {
    const delta = randomDelta(2 * 4096, 'top-k');
    const { update } = compress(delta, new Float32Array(delta.length), { ...SPARSELOCO_DEFAULTS, beta: 0 });
    for (let c = 0; c < 2; c++) {
      const chunk = Array.from(delta.subarray(c * 4096, (c + 1) * 4096), (v, i) => ({ i: c * 4096 + i, m: Math.abs(v) }));
      const expected = chunk.sort((x, y) => y.m - x.m || x.i - y.i).slice(0, 64).map((x) => x.i).sort((x, y) => x - y);
      expect([...update.indices.filter((i) => i >= c * 4096 && i < (c + 1) * 4096)]).toEqual(expected);
    }
  });

  it('picks the same positions as a full sort, ties to the lower position, on many shapes and tied values', () => {
    const random = seededPrng('ties');
    for (let trial = 0; trial < 200; trial++) {
      const chunk = 1 + randomBelow(random, 300);
      const k = 1 + randomBelow(random, chunk);
      const n = 1 + randomBelow(random, 3 * chunk);
      // Few distinct magnitudes, both signs: ties at the threshold are the rule, not the exception.
      const levels = 1 + randomBelow(random, 6);
      const delta = Float32Array.from({ length: n }, () => (randomBelow(random, levels) - levels / 2) * 0.25);
      const { update } = compress(delta, new Float32Array(n), { chunk, k, beta: 0 });
      const expected: number[] = [];
      for (let start = 0; start < n; start += chunk) {
        const positions = Array.from({ length: Math.min(n, start + chunk) - start }, (_, i) => start + i);
        positions.sort((x, y) => Math.abs(delta[y]!) - Math.abs(delta[x]!) || x - y);
        expected.push(...positions.slice(0, k).sort((x, y) => x - y));
      }
      expect([...update.indices], `trial ${trial}: n ${n}, chunk ${chunk}, k ${k}`).toEqual(expected);
    }
  });

  it('is ≈146× smaller than float32: 14 bits per kept value, bit-packed', () => {
    const n = 64 * 4096;
    const { payload } = compress(randomDelta(n, 'size'), new Float32Array(n));
    expect(payload.length).toBe(1 + 4 + 2 + 2 + 16 + 4 + (64 * 64 * 14) / 8);
    expect((n * 4) / payload.length).toBeGreaterThan(145);
  });

  it('loses nothing over rounds: what was sent plus the residual is everything that went in (β = 1)', () => {
    const n = 5000;
    const error = new Float32Array(n);
    const sent = new Float64Array(n);
    const total = new Float64Array(n);
    for (let round = 0; round < 6; round++) {
      const delta = randomDelta(n, `round-${round}`);
      delta.forEach((v, i) => (total[i]! += v));
      const { update } = compress(delta, error, { ...SPARSELOCO_DEFAULTS, beta: 1 });
      update.indices.forEach((position, i) => (sent[position]! += update.values[i]!));
    }
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(sent[i]! + error[i]! - total[i]!));
    expect(worst).toBeLessThan(1e-4);
  });

  it('round-trips random shapes, including chunks shorter than k and a last partial chunk', () => {
    const next = seededPrng('shapes');
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + randomBelow(next, 20_000);
      const chunk = 1 + randomBelow(next, 4096);
      const k = 1 + randomBelow(next, Math.min(chunk, 128));
      const delta = randomDelta(n, `shape-${trial}`);
      const { payload, update } = compress(delta, new Float32Array(n), { chunk, k, beta: 0.9 });
      const decoded = decompress(payload, n);
      expect(decoded.indices).toEqual(update.indices);
      expect(decoded.values).toEqual(update.values);
    }
  });

  it('adds a decoded update into a dense vector', () => {
    const into = new Float32Array(8);
    addSparse(into, { size: 8, indices: Uint32Array.of(1, 6), values: Float32Array.of(0.5, -2) }, 2);
    expect([...into]).toEqual([0, 1, 0, 0, 0, 0, -4, 0]);
  });

  describe('refuses malformed payloads with a CodecError', () => {
    const n = 4096 + 100;
    const good = compress(randomDelta(n, 'good'), new Float32Array(n)).payload;
    const mutate = (change: (bytes: Uint8Array) => void) => {
      const bytes = Uint8Array.from(good);
      change(bytes);
      return bytes;
    };
    it.each<[string, Uint8Array, number, RegExp]>([
      ['another format', mutate((b) => (b[0] = 9)), n, /format 9/],
      ['a model of another size', good, n + 1, /has 4196 values, the model 4197/],
      ['a truncated payload', good.subarray(0, good.length - 3), n, /left|truncated/],
      ['trailing bytes', Uint8Array.from([...good, 0]), n, /unexpected bytes/],
      ['a NaN bin mean', mutate((b) => new DataView(b.buffer).setFloat32(9, Number.NaN, true)), n, /not finite/],
      ['indices out of order', mutate((b) => (b[29]! ^= 0xff)), n, /out of order or range/],
      ['k above the chunk', mutate((b) => new DataView(b.buffer).setUint16(7, 5000, true)), n, /bad chunking/],
    ])('%s', (_, payload, size, message) => {
      expect(() => decompress(payload, size)).toThrow(CodecError);
      expect(() => decompress(payload, size)).toThrow(message);
    });
  });
});
