import { describe, expect, it } from 'vitest';
import { assignShard, batchIndices, gatherBatch, shardIndices } from '../../../../../worker/training/data/shards.js';
import type { ImageDataset } from '../../../../../worker/training/types.js';

describe('shardIndices', () => {
  it.each([
    [10, 3],
    [10_000, 7],
    [5, 8],
  ])('splits %i examples into %i disjoint shards that cover them all', (count, shardCount) => {
    const all = Array.from({ length: shardCount }, (_, shard) => [...shardIndices(count, shardCount, shard)]).flat();
    expect(all.sort((a, b) => a - b)).toEqual([...Array(count).keys()]);
  });

  it('gives every shard every class of a class-sorted dataset', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => Math.floor(i / 100)); // 10 classes, grouped
    for (let shard = 0; shard < 4; shard++) {
      const classes = new Set([...shardIndices(1000, 4, shard)].map((i) => labels[i]));
      expect(classes.size).toBe(10);
    }
  });

  it('rejects impossible arguments', () => {
    expect(() => shardIndices(10, 0, 0)).toThrow(RangeError);
    expect(() => shardIndices(10, 3, 3)).toThrow(RangeError);
    expect(() => shardIndices(10, 3, -1)).toThrow(RangeError);
    expect(() => shardIndices(10.5, 3, 0)).toThrow(RangeError);
  });
});

describe('assignShard', () => {
  it('is deterministic, in range, and depends on run, round and peer', () => {
    const shard = assignShard('run', 3, 'peer', 16);
    expect(assignShard('run', 3, 'peer', 16)).toBe(shard);
    expect(shard).toBeGreaterThanOrEqual(0);
    expect(shard).toBeLessThan(16);
    const variants = [assignShard('run2', 3, 'peer', 1 << 20), assignShard('run', 4, 'peer', 1 << 20), assignShard('run', 3, 'peer2', 1 << 20)];
    expect(new Set([assignShard('run', 3, 'peer', 1 << 20), ...variants]).size).toBe(4);
    // The encoding is unambiguous: moving characters between fields changes the result.
    expect(assignShard('ab', 1, 'c', 1 << 20)).not.toBe(assignShard('a', 1, 'bc', 1 << 20));
  });

  it('spreads peers evenly over shards', () => {
    const counts = new Array<number>(8).fill(0);
    for (let peer = 0; peer < 4000; peer++) counts[assignShard('run', 0, `peer-${peer}`, 8)]! += 1;
    for (const count of counts) expect(Math.abs(count - 500)).toBeLessThan(90); // ≈ 4 standard deviations
  });
});

describe('batchIndices', () => {
  const shard = shardIndices(30, 3, 1); // 10 examples: 1, 4, 7, …, 28

  it('returns the same batch for the same step, whatever was asked before (resume)', () => {
    const fresh = batchIndices(shard, 'seed', 5, 4);
    batchIndices(shard, 'other', 99, 7);
    batchIndices(shardIndices(30, 3, 1), 'seed', 0, 4); // an equal shard in a new array
    expect(batchIndices(shard, 'seed', 5, 4)).toEqual(fresh);
  });

  it('visits every example of the shard exactly once per epoch, across epoch boundaries', () => {
    const batchSize = 3; // does not divide 10: batches straddle epochs
    const stream = Array.from({ length: 10 }, (_, step) => [...batchIndices(shard, 'seed', step, batchSize)]).flat();
    const epochs = [stream.slice(0, 10), stream.slice(10, 20), stream.slice(20, 30)];
    for (const epoch of epochs) expect([...epoch].sort((a, b) => a - b)).toEqual([...shard]);
    expect(epochs[0]).not.toEqual(epochs[1]); // a fresh permutation per epoch
  });

  it('depends on the seed, and handles batches larger than the shard', () => {
    expect(batchIndices(shard, 'a', 0, 10)).not.toEqual(batchIndices(shard, 'b', 0, 10));
    const big = [...batchIndices(shard, 'seed', 0, 25)];
    expect(big).toHaveLength(25);
    expect(new Set(big.slice(0, 10)).size).toBe(10);
  });

  it('rejects impossible arguments', () => {
    expect(() => batchIndices(new Uint32Array(0), 's', 0, 4)).toThrow(RangeError);
    expect(() => batchIndices(shard, 's', -1, 4)).toThrow(RangeError);
    expect(() => batchIndices(shard, 's', 0, 0)).toThrow(RangeError);
  });
});

describe('gatherBatch', () => {
  const dataset: ImageDataset = {
    name: 'mnist',
    count: 3,
    height: 1,
    width: 2,
    channels: 1,
    pixels: Uint8Array.of(0, 51, 102, 153, 204, 255),
    labels: Uint8Array.of(0, 1, 2),
  };

  it('copies the chosen images, in order, into one NHWC batch of floats in [-1, 1]', () => {
    const pixel = (byte: number) => Math.fround(byte / 127.5 - 1);
    expect([...gatherBatch(dataset, Uint32Array.of(2, 0, 2))]).toEqual([204, 255, 0, 51, 204, 255].map(pixel));
  });

  it('rejects an index outside the dataset', () => {
    expect(() => gatherBatch(dataset, Uint32Array.of(3))).toThrow(/outside/);
  });
});
