/**
 * Which examples a peer trains on, and in which order. Everything here is a pure function of its arguments,
 * so any peer (or auditor) can replay exactly which data a contribution was trained on, and a trainer that
 * restarts at step s sees the same batch s it would have seen without the restart.
 */
import { createHash } from 'node:crypto';
import type { ImageDataset } from '../types.js';
import { copyPixels } from './pixels.js';
import { seededPrng, shuffleInPlace } from './prng.js';

function assertIndex(name: string, value: number, below: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= below) {
    throw new RangeError(`${name} must be an integer in [0, ${below}), got ${value}`);
  }
}

/**
 * The example indices of `shard` out of `shardCount`: disjoint, and together covering [0, count).
 * Strided rather than contiguous because the datasets are stored grouped by class: a contiguous slice would
 * give a peer only one or two classes, a stride gives every shard every class in the same proportions.
 */
export function shardIndices(count: number, shardCount: number, shard: number): Uint32Array {
  if (!Number.isInteger(count) || count < 0 || count > 0xffffffff) throw new RangeError(`bad example count ${count}`);
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`bad shard count ${shardCount}`);
  assertIndex('shard', shard, shardCount);
  const size = shard < count ? Math.ceil((count - shard) / shardCount) : 0;
  const indices = new Uint32Array(size);
  for (let i = 0; i < size; i++) indices[i] = shard + i * shardCount;
  return indices;
}

/** The shard a peer trains in a round: sha256 of the three, so it is fair, unpredictable and replayable. */
export function assignShard(runId: string, round: number, peerId: string, shardCount: number): number {
  if (!Number.isInteger(round) || round < 0) throw new RangeError(`bad round ${round}`);
  if (!Number.isInteger(shardCount) || shardCount < 1) throw new RangeError(`bad shard count ${shardCount}`);
  // A JSON array is an unambiguous encoding: no separator inside an id can make two triples collide.
  const digest = createHash('sha256').update(JSON.stringify(['airtist/shard/1', runId, round, peerId])).digest();
  // 48 bits fit a double exactly; the modulo bias is below 2^-30 for any realistic shard count.
  return digest.readUIntBE(0, 6) % shardCount;
}

/** The last permutation computed: a trainer asks for the same epoch thousands of times in a row. */
let cachedOrder: { shard: Uint32Array; seed: string; epoch: number; order: Uint32Array } | null = null;

function epochOrder(shard: Uint32Array, seed: string, epoch: number): Uint32Array {
  const cached = cachedOrder;
  if (cached && cached.shard === shard && cached.seed === seed && cached.epoch === epoch) return cached.order;
  const order = shuffleInPlace(Uint32Array.from(shard), seededPrng(JSON.stringify(['airtist/epoch/1', seed, epoch])));
  cachedOrder = { shard, seed, epoch, order };
  return order;
}

/**
 * The example indices of batch number `step`: the shard is walked in a fresh seeded permutation every epoch,
 * and a batch that crosses an epoch boundary takes the end of one permutation and the start of the next,
 * so every example is seen exactly once per epoch whatever the batch size.
 */
export function batchIndices(shard: Uint32Array, seed: string, step: number, batchSize: number): Uint32Array {
  if (shard.length === 0) throw new RangeError('cannot draw batches from an empty shard');
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`bad step ${step}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`bad batch size ${batchSize}`);
  const batch = new Uint32Array(batchSize);
  let position = step * batchSize;
  for (let i = 0; i < batchSize; ) {
    const epoch = Math.floor(position / shard.length);
    const offset = position - epoch * shard.length;
    const take = Math.min(batchSize - i, shard.length - offset);
    batch.set(epochOrder(shard, seed, epoch).subarray(offset, offset + take), i);
    i += take;
    position += take;
  }
  return batch;
}

/** Copies the images at `indices` into one NHWC batch. */
export function gatherBatch(dataset: ImageDataset, indices: Uint32Array): Float32Array {
  const size = dataset.height * dataset.width * dataset.channels;
  const batch = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] as number;
    if (index >= dataset.count) throw new RangeError(`example ${index} is outside the dataset (${dataset.count})`);
    copyPixels(dataset, index * size, (index + 1) * size, batch, i * size);
  }
  return batch;
}
