/**
 * The round protocol's names and its one small request: gossip topics per run for contribution headers and
 * commits, and a stream protocol that serves a contribution (its signed header and its payload) by the
 * header's hash, from whoever holds it — the contributor, or the leader that accepted it.
 */
import { createHash } from 'node:crypto';
import { ByteReader, ByteWriter, CodecError } from '../p2p/codec.js';
import { protocolId } from '../p2p/peer.js';

export const contributionsTopic = (runId: string) => `/airtist/${runId}/contributions/1`;
export const commitsTopic = (runId: string) => `/airtist/${runId}/commits/1`;
export const CONTRIBUTION_PROTOCOL = protocolId('contribution');

/** Signed headers are a few hundred bytes; a commit is 44 bytes per accepted contribution. */
export const MAX_HEADER_BYTES = 4096;
export const MAX_COMMIT_BYTES = 1 << 20;

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface ContributionRequest {
  runId: string;
  /** sha256 of the signed header. */
  hash: string;
}

export function encodeContributionRequest({ runId, hash }: ContributionRequest): Uint8Array {
  return new ByteWriter().u8(1).hex(runId, 16, 'runId').hex(hash, 32, 'hash').finish();
}

export function decodeContributionRequest(bytes: Uint8Array): ContributionRequest {
  const reader = new ByteReader(bytes);
  if (reader.u8('kind') !== 1) throw new CodecError('unknown contribution request');
  const request = { runId: reader.hex('runId', 16), hash: reader.hex('hash', 32) };
  reader.end();
  return request;
}
