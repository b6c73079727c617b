/**
 * A round's commit, signed by the leader (or a fallback): the accepted contributions — each by its header's
 * hash, with the samples credited and the score it earned (scores are filled in by the verification issue;
 * until then 0) — and the hash of the model they produce. Every peer that applies it must arrive at that
 * model hash. A commit that accepts nothing keeps the weights where they are.
 */
import type { PrivateKey } from '@libp2p/interface';
import { ByteWriter, CodecError } from '../p2p/codec.js';
import { open, publicKeyBytes, readPublicKey, sign } from '../p2p/signed.js';

const FORMAT = 1;
const DOMAIN = 'airtist/commit/1';
/** More accepted contributions than this in one round is not a home network's round; refuse before allocating. */
export const MAX_ACCEPTED = 4096;

export interface AcceptedContribution {
  /** sha256 of the signed contribution header. */
  hash: string;
  samples: number;
  score: number;
}

export interface Commit {
  runId: string;
  round: number;
  baseHash: string;
  accepted: AcceptedContribution[];
  modelHash: string;
}

export async function signCommit(commit: Commit, key: PrivateKey): Promise<Uint8Array> {
  if (commit.accepted.length > MAX_ACCEPTED) throw new RangeError(`at most ${MAX_ACCEPTED} accepted contributions`);
  const writer = new ByteWriter()
    .u8(FORMAT)
    .hex(commit.runId, 16, 'runId')
    .u32(commit.round)
    .hex(commit.baseHash, 32, 'baseHash')
    .bytesField(publicKeyBytes(key))
    .u32(commit.accepted.length);
  const seen = new Set<string>();
  for (const { hash, samples, score } of commit.accepted) {
    if (seen.has(hash)) throw new RangeError(`contribution ${hash} accepted twice`);
    if (!Number.isFinite(score)) throw new RangeError(`contribution ${hash}: the score must be finite`);
    seen.add(hash);
    writer.hex(hash, 32, 'contribution hash').u32(samples).f64(score);
  }
  return sign(DOMAIN, writer.hex(commit.modelHash, 32, 'modelHash').finish(), key);
}

/** Decodes strictly and verifies the signature; the signer's peer id comes with it. */
export async function openCommit(bytes: Uint8Array): Promise<{ commit: Commit; signer: string }> {
  const { value, peerId } = await open(DOMAIN, bytes, (reader) => {
    if (reader.u8('format') !== FORMAT) throw new CodecError('unknown commit format');
    const runId = reader.hex('runId', 16);
    const round = reader.u32('round');
    const baseHash = reader.hex('baseHash', 32);
    const publicKey = readPublicKey(reader);
    const count = reader.count('accepted', MAX_ACCEPTED);
    const accepted: AcceptedContribution[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const hash = reader.hex('contribution hash', 32);
      const samples = reader.u32('samples');
      const score = reader.f64('score');
      if (seen.has(hash)) throw new CodecError(`contribution ${hash} accepted twice`);
      if (!Number.isFinite(score)) throw new CodecError('a score is not finite');
      seen.add(hash);
      accepted.push({ hash, samples, score });
    }
    const modelHash = reader.hex('modelHash', 32);
    return { value: { runId, round, baseHash, accepted, modelHash }, publicKey };
  });
  return { commit: value, signer: peerId };
}
