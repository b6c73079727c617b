/**
 * What a peer must keep to rejoin the run where it left off: the round it is in, the committed weights θ_r it
 * trains from, the outer optimizer's momentum, its own error-feedback residual, and the signed commit that
 * produced θ_r (none for round 0). Written atomically after every applied commit, with a sha256 trailer, so a
 * killed process leaves either the old file or the new one, and a damaged file is refused, never half-read.
 *
 * Layout (codec.ts): u8 format · run id 16 B · round u32 · size u32 · commit (u8 flag, bytes) · then θ, the
 * momentum and the residual as float32 little-endian · sha256 of everything before it.
 */
import { createHash } from 'node:crypto';
import { ByteReader, ByteWriter, CodecError } from '../p2p/codec.js';
import { readFileOrNull, writeFileDurably } from '../durable-file.js';

const FORMAT = 1;
const HASH_BYTES = 32;
/** A commit is a few hundred bytes per accepted contribution; more than this is not one of ours. */
const MAX_COMMIT_BYTES = 1 << 20;

export interface RoundState {
  runId: string;
  round: number;
  theta: Float32Array;
  momentum: Float32Array;
  error: Float32Array;
  /** The signed commit that produced θ_r; null for round 0 (θ_0 comes from the run's seed). */
  commit: Uint8Array | null;
}

const bytesOf = (v: Float32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

export function encodeRoundState(state: RoundState): Uint8Array {
  const size = state.theta.length;
  if (state.momentum.length !== size || state.error.length !== size) throw new RangeError('round state: mismatched lengths');
  const writer = new ByteWriter().u8(FORMAT).hex(state.runId, 16, 'runId').u32(state.round).u32(size);
  if (state.commit) writer.u8(1).bytesField(state.commit);
  else writer.u8(0);
  const body = writer.fixed(bytesOf(state.theta)).fixed(bytesOf(state.momentum)).fixed(bytesOf(state.error)).finish();
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

/** Strict: a `CodecError` for anything damaged, truncated or not ours. */
export function decodeRoundState(bytes: Uint8Array): RoundState {
  if (bytes.length < HASH_BYTES) throw new CodecError('round state: too short');
  const body = bytes.subarray(0, bytes.length - HASH_BYTES);
  if (!createHash('sha256').update(body).digest().equals(bytes.subarray(bytes.length - HASH_BYTES))) throw new CodecError('round state: checksum mismatch');
  const reader = new ByteReader(body);
  if (reader.u8('format') !== FORMAT) throw new CodecError('round state: unknown format');
  const runId = reader.hex('runId', 16);
  const round = reader.u32('round');
  const size = reader.u32('size');
  const flag = reader.u8('commit flag');
  if (flag > 1) throw new CodecError('round state: bad commit flag');
  const commit = flag === 1 ? Uint8Array.from(reader.bytesField('commit', MAX_COMMIT_BYTES)) : null;
  const vector = () => new Float32Array(Uint8Array.from(reader.fixed('vector', size * 4)).buffer);
  const theta = vector();
  const momentum = vector();
  const error = vector();
  reader.end();
  return { runId, round, theta, momentum, error, commit };
}

export async function saveRoundState(path: string, state: RoundState): Promise<void> {
  await writeFileDurably(path, encodeRoundState(state));
}

/** The saved state, or null when there is none; a damaged file throws `CodecError` (the caller sets it aside). */
export async function loadRoundState(path: string): Promise<RoundState | null> {
  const bytes = await readFileOrNull(path);
  return bytes && decodeRoundState(bytes);
}
