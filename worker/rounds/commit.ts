/**
 * A round's commit, signed by the leader (or a fallback): when it was made, the accepted contributions — each
 * by its header's hash, with its contributor, the samples credited and the score it earned (scores are filled
 * in by verification, worker/verify/) and those it refused, each with its reason — and the hash of the model they produce. Every peer that
 * applies it must arrive at that model hash. The time anchors the next round's window on every peer, and the
 * contributors rank first for the next round's leadership (leader.ts), so peers agree on both without talking.
 * A commit that accepts nothing keeps the weights where they are. It carries the reputation table its round
 * leaves (verify/reputation.ts), which every adopting peer recomputes from the commit before and checks, and
 * the Merkle root of every address's cumulative reward after its credits (rewards/merkle.ts), which every peer
 * holding the totals before checks, and a peer that joins later checks the totals it downloads against.
 */
import type { PrivateKey } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { ByteWriter, CodecError } from '../p2p/codec.js';
import { open, publicKeyBytes, readPublicKey, sign } from '../p2p/signed.js';
import { REJECTION_REASONS, type RejectionReason } from '../verify/reasons.js';
import { DROP_BELOW, MAX_REPUTATION, PPM, type Reputation } from '../verify/reputation.js';

const FORMAT = 5;
const DOMAIN = 'airtist/commit/1';
/** More accepted contributions than this in one round is not a home network's round; refuse before allocating. */
export const MAX_ACCEPTED = 4096;
/** A peer id's text form (base58 of an Ed25519 identity multihash is 52 characters). */
const MAX_PEER_ID = 128;

export interface AcceptedContribution {
  /** sha256 of the signed contribution header. */
  hash: string;
  /** The contributor's peer id. */
  peer: string;
  samples: number;
  score: number;
}

/** A contribution the signer held for the round and refused, with why (the ledger's and the UI's reason). */
export interface RejectedContribution {
  hash: string;
  reason: RejectionReason;
}

export interface Commit {
  runId: string;
  round: number;
  /** Milliseconds since the epoch, by the signer's clock. */
  committedAt: number;
  baseHash: string;
  accepted: AcceptedContribution[];
  rejected: RejectedContribution[];
  modelHash: string;
  /** Every reputed peer after this round, ascending by peer id. */
  reputation: Reputation;
  /** The reward table after this round's credits: its Merkle root, 0x and 64 hex digits. */
  rewardRoot: string;
}

const ROOT = /^0x[0-9a-f]{64}$/;

export async function signCommit(commit: Commit, key: PrivateKey): Promise<Uint8Array> {
  if (commit.accepted.length > MAX_ACCEPTED) throw new RangeError(`at most ${MAX_ACCEPTED} accepted contributions`);
  if (!isTime(commit.committedAt)) throw new RangeError('committedAt must be a whole, non-negative millisecond count');
  const writer = new ByteWriter()
    .u8(FORMAT)
    .hex(commit.runId, 16, 'runId')
    .u32(commit.round)
    .f64(commit.committedAt)
    .hex(commit.baseHash, 32, 'baseHash')
    .bytesField(publicKeyBytes(key))
    .u32(commit.accepted.length);
  const seen = new Set<string>();
  for (const { hash, peer, samples, score } of commit.accepted) {
    if (seen.has(hash)) throw new RangeError(`contribution ${hash} accepted twice`);
    if (!Number.isFinite(score)) throw new RangeError(`contribution ${hash}: the score must be finite`);
    if (!isPeerId(peer)) throw new RangeError(`contribution ${hash}: ${JSON.stringify(peer)} is not a peer id`);
    seen.add(hash);
    writer.hex(hash, 32, 'contribution hash').string(peer).u32(samples).f64(score);
  }
  if (commit.rejected.length > MAX_ACCEPTED) throw new RangeError(`at most ${MAX_ACCEPTED} rejected contributions`);
  writer.u32(commit.rejected.length);
  for (const { hash, reason } of commit.rejected) {
    if (seen.has(hash)) throw new RangeError(`contribution ${hash} both accepted and rejected, or rejected twice`);
    const code = REJECTION_REASONS.indexOf(reason);
    if (code < 0) throw new RangeError(`contribution ${hash}: ${JSON.stringify(reason)} is not a rejection reason`);
    seen.add(hash);
    writer.hex(hash, 32, 'contribution hash').u8(code);
  }
  writer.hex(commit.modelHash, 32, 'modelHash');
  if (commit.reputation.length > MAX_REPUTATION) throw new RangeError(`at most ${MAX_REPUTATION} reputed peers`);
  writer.u32(commit.reputation.length);
  commit.reputation.forEach(({ peer, ppm }, i) => {
    if (!isPeerId(peer)) throw new RangeError(`reputation: ${JSON.stringify(peer)} is not a peer id`);
    if (i > 0 && !(commit.reputation[i - 1]!.peer < peer)) throw new RangeError('reputation: peers must ascend, each once');
    if (!isReputation(ppm)) throw new RangeError(`reputation of ${peer}: ${ppm} is not ${DROP_BELOW}..${PPM}`);
    writer.string(peer).u32(ppm);
  });
  if (!ROOT.test(commit.rewardRoot)) throw new RangeError('rewardRoot must be 0x and 64 lowercase hex digits');
  writer.hex(commit.rewardRoot.slice(2), 32, 'rewardRoot');
  return sign(DOMAIN, writer.finish(), key);
}

/** Decodes strictly and verifies the signature; the signer's peer id comes with it. */
export async function openCommit(bytes: Uint8Array): Promise<{ commit: Commit; signer: string }> {
  const { value, peerId } = await open(DOMAIN, bytes, (reader) => {
    if (reader.u8('format') !== FORMAT) throw new CodecError('unknown commit format');
    const runId = reader.hex('runId', 16);
    const round = reader.u32('round');
    const committedAt = reader.f64('committedAt');
    if (!isTime(committedAt)) throw new CodecError('committedAt is not a time');
    const baseHash = reader.hex('baseHash', 32);
    const publicKey = readPublicKey(reader);
    const count = reader.count('accepted', MAX_ACCEPTED);
    const accepted: AcceptedContribution[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const hash = reader.hex('contribution hash', 32);
      const peer = reader.string('peer', MAX_PEER_ID);
      if (!isPeerId(peer)) throw new CodecError('an accepted contribution names no peer id');
      const samples = reader.u32('samples');
      const score = reader.f64('score');
      if (seen.has(hash)) throw new CodecError(`contribution ${hash} accepted twice`);
      if (!Number.isFinite(score)) throw new CodecError('a score is not finite');
      seen.add(hash);
      accepted.push({ hash, peer, samples, score });
    }
    const rejectedCount = reader.count('rejected', MAX_ACCEPTED);
    const rejected: RejectedContribution[] = [];
    for (let i = 0; i < rejectedCount; i++) {
      const hash = reader.hex('contribution hash', 32);
      const reason = REJECTION_REASONS[reader.u8('reason')];
      if (!reason) throw new CodecError('an unknown rejection reason');
      if (seen.has(hash)) throw new CodecError(`contribution ${hash} both accepted and rejected, or rejected twice`);
      seen.add(hash);
      rejected.push({ hash, reason });
    }
    const modelHash = reader.hex('modelHash', 32);
    const reputed = reader.count('reputation', MAX_REPUTATION);
    const reputation: Array<{ peer: string; ppm: number }> = [];
    for (let i = 0; i < reputed; i++) {
      const peer = reader.string('reputed peer', MAX_PEER_ID);
      const ppm = reader.u32('reputation');
      if (!isPeerId(peer)) throw new CodecError('a reputation names no peer id');
      if (i > 0 && !(reputation[i - 1]!.peer < peer)) throw new CodecError('reputed peers out of order or repeated');
      if (!isReputation(ppm)) throw new CodecError('a reputation out of range');
      reputation.push({ peer, ppm });
    }
    const rewardRoot = `0x${reader.hex('rewardRoot', 32)}`;
    return { value: { runId, round, committedAt, baseHash, accepted, rejected, modelHash, reputation, rewardRoot }, publicKey };
  });
  return { commit: value, signer: peerId };
}

const isTime = (ms: number) => Number.isSafeInteger(ms) && ms >= 0;
const isReputation = (ppm: number) => Number.isInteger(ppm) && ppm >= DROP_BELOW && ppm <= PPM;

function isPeerId(text: string): boolean {
  if (text.length === 0 || text.length > MAX_PEER_ID) return false;
  try {
    return peerIdFromString(text).toString() === text;
  } catch {
    return false;
  }
}
