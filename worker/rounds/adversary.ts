/**
 * Cheating strategies, for testing the network's defences with the real node code (`airtist node
 * --adversary KIND`, `airtist swarm --adversary KIND:COUNT`) and for the benchmarks. A cheat trains like
 * everyone else (it looks busy) and then sends, in place of its honest pseudo-gradient Δ, what its strategy
 * makes of it:
 * - zero: an empty update, claimed as work;
 * - noise: random values of the honest update's size (it looks like work and is none);
 * - scaled: the honest update × 20, to drag the aggregate;
 * - signflip: the honest update reversed, to undo the others' work;
 * - nan: a payload whose values are not numbers, to poison every peer's weights;
 * - freerider: a tenth of the training (one step in ten), claimed as the whole;
 * - copycat: another peer's update of the round (one whose work the last commit took), barely changed, as its own;
 * - replay: an update accepted in an earlier round, sent again;
 * - stalebase: its update, said to be trained from the model of an earlier round.
 * The driver hands a cheat what an honest peer would send (its update with error feedback), so a scaled
 * update is twenty times an honest one's size, and noise of an honest one's; what a cheat holds back is never
 * sent later.
 */
import { createHash } from 'node:crypto';
import { gaussianArray, seededPrng } from '../training/data/prng.js';
import type { RejectionReason } from '../verify/reasons.js';
import { addSparse, compress, decompress, NonFiniteUpdateError, type CompressionOptions, type SparseUpdate } from './compress.js';

export const UPDATE_CHEATS = ['zero', 'noise', 'scaled', 'signflip', 'nan', 'freerider'] as const;
export type UpdateCheat = (typeof UPDATE_CHEATS)[number];
export const ADVERSARY_KINDS = [...UPDATE_CHEATS, 'copycat', 'replay', 'stalebase'] as const;
export type AdversaryKind = (typeof ADVERSARY_KINDS)[number];

/** How much a `scaled` cheat multiplies its update: enough to drag a mean of honest updates far off. */
export const SCALED_FACTOR = 20;
/** How much a copycat scales the update it copies: its payload's hash differs, the update barely. */
const COPY_SCALE = 1.001;

/** The dense update a cheat of `kind` makes of `delta` (a new vector; `delta` is left as it is). */
export function cheatUpdate(kind: UpdateCheat, delta: Float32Array, seed: string): Float32Array {
  switch (kind) {
    case 'zero':
      return new Float32Array(delta.length);
    case 'noise': {
      // The RMS of the values the update carries: the honest update is sparse, and its zeros are not its size.
      let squares = 0;
      let carried = 0;
      for (const v of delta) {
        if (v === 0) continue;
        squares += v * v;
        carried += 1;
      }
      const scale = Math.sqrt(squares / Math.max(1, carried));
      return gaussianArray(seededPrng(`noise/${seed}`), delta.length).map((z) => z * scale);
    }
    case 'scaled':
      return delta.map((v) => v * SCALED_FACTOR);
    case 'signflip':
      return delta.map((v) => -v);
    case 'nan': {
      const poisoned = Float32Array.from(delta);
      poisoned[poisoned.length >> 1] = Number.NaN;
      return poisoned;
    }
    case 'freerider':
      return delta.map((v) => v / 10);
  }
}

/** What a cheat has to work with in its round. */
export interface ForgeInput {
  kind: AdversaryKind;
  /** The honest update it would send (dense). */
  delta: Float32Array;
  compression: CompressionOptions;
  /** Differs by round and peer. */
  seed: string;
  /** The round's base, and the one before it (null when this peer has not seen it). */
  base: string;
  previousBase: string | null;
  /** Other peers' decoded updates of this round, first arrived first. */
  others: readonly SparseUpdate[];
  /** Payloads accepted in the round before. */
  earlier: readonly Uint8Array[];
}

/** The payload a cheat sends and the base it claims; null while it has nothing to copy or replay yet. */
export function forge(input: ForgeInput): { payload: Uint8Array; baseHash: string } | null {
  const { kind, delta, compression } = input;
  const fresh = (values: Float32Array) => compress(values, new Float32Array(values.length), compression).payload;
  switch (kind) {
    case 'copycat': {
      const copied = input.others[0];
      if (!copied) return null;
      const dense = new Float32Array(copied.size);
      copied.indices.forEach((position, i) => (dense[position] = copied.values[i]! * COPY_SCALE));
      return { payload: fresh(dense), baseHash: input.base };
    }
    case 'replay': {
      const replayed = input.earlier[0];
      return replayed ? { payload: replayed, baseHash: input.base } : null;
    }
    case 'stalebase':
      return { payload: fresh(delta), baseHash: input.previousBase ?? createHash('sha256').update(`stale/${input.base}`).digest('hex') };
    case 'nan':
      return { payload: poisonPayload(fresh(delta)), baseHash: input.base };
    default:
      return { payload: fresh(cheatUpdate(kind, delta, input.seed)), baseHash: input.base };
  }
}

/**
 * The payload with its first bin mean (after format, size, chunk and k: byte 9) made NaN. Training never makes
 * a NaN the codec would send (it picks values by magnitude), so a poisoner writes one into the bytes.
 */
export function poisonPayload(payload: Uint8Array): Uint8Array {
  const poisoned = Uint8Array.from(payload);
  new DataView(poisoned.buffer).setFloat32(9, Number.NaN, true);
  return poisoned;
}

/**
 * A contribution as a peer makes it: its payload, what that decodes to (null: others will refuse it), what
 * leaves the error buffer, the base it claims, and why others will refuse it on arrival, if they will.
 */
export interface Made {
  payload: Uint8Array;
  update: SparseUpdate | null;
  sent: SparseUpdate;
  baseHash: string;
  refused?: RejectionReason;
}

/** Δ compressed with the peer's error feedback (`error` moves): what an honest peer sends. */
export function makeHonest(delta: Float32Array, error: Float32Array, compression: CompressionOptions, base: string): Made {
  const { payload, update } = compress(delta, error, compression);
  return { payload, update, sent: update, baseHash: base };
}

/** Whether a cheat has what it needs to send yet: a copycat another's update of the round, a replayer an accepted one. */
export function readyToCheat(kind: AdversaryKind, others: number, earlier: number): boolean {
  if (kind === 'copycat') return others > 0;
  if (kind === 'replay') return earlier > 0;
  return true;
}

/**
 * What a cheat makes in place of Δ (see forge). The error buffer moves as if the honest update were sent, and
 * nothing goes back into it: `sent` is empty. `update` is what others will decode, or null with `refused`.
 */
export function makeCheat(delta: Float32Array, error: Float32Array, input: Omit<ForgeInput, 'delta'>): Made {
  const size = delta.length;
  const { update: honest } = compress(delta, error, input.compression);
  const wouldSend = new Float32Array(size);
  addSparse(wouldSend, honest);
  const { payload, baseHash } = forge({ ...input, delta: wouldSend })!;
  const sent = { size, indices: new Uint32Array(0), values: new Float32Array(0) };
  if (baseHash !== input.base) return { payload, update: null, sent, baseHash, refused: 'wrong-base' };
  try {
    return { payload, update: decompress(payload, size), sent, baseHash };
  } catch (caught) {
    return { payload, update: null, sent, baseHash, refused: caught instanceof NonFiniteUpdateError ? 'non-finite' : 'malformed' };
  }
}
