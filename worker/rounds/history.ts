/**
 * Mending the rounds a peer recorded on the losing side of a fork. A peer that took the losing side and moved
 * on heals by syncing the network's state (sync.ts), which carries only the state's own commit: the rounds it
 * recorded before that still say what its side committed — its contribution accepted and credited where the
 * network's commit refused it or never saw it.
 *
 * After such a sync the peer walks back from the state. Each round it recorded is checked against what the
 * network's chain says of it: the rounds between the state's commit and the state closed without a commit; the
 * state's commit is known; an older round's commit is the one whose model the next round of the chain started
 * from, asked of peers by round (COMMIT_PROTOCOL) and checked — its signature, run, round, and that model hash:
 * the hash chain back from the verified state, so no peer can hand over another round's or another fork's
 * commit. The walk stops at the first committed round that agrees, at a round this ledger never opened, after
 * MAX_MEND_ROUNDS, or at a round no peer holds a matching commit of (one from before the peers' own history, or
 * one the network closed without a commit: peers answer only with commits). Every mended round is rewritten
 * in one ledger write, with the credits its commit makes, computed as every peer computes them.
 */
import type { Libp2p, PeerId } from '@libp2p/interface';
import type { MendRecord, RoundHashes } from '../ledger/rounds.js';
import { ByteReader, ByteWriter, CodecError } from '../p2p/codec.js';
import { protocolId } from '../p2p/peer.js';
import { RequestError, request, serve, type RequestStats } from '../p2p/request.js';
import type { Emission } from '../rewards/emission.js';
import { roundCredits } from '../rewards/round-rewards.js';
import { openCommit, type Commit } from './commit.js';
import { MAX_COMMIT_BYTES } from './messages.js';

export const COMMIT_PROTOCOL = protocolId('commit');

/** How far back a mend looks: a fork older than this many rounds is left as recorded. */
export const MAX_MEND_ROUNDS = 64;

/** Peers asked for one round's commit before the walk gives up on it. */
const SOURCES_PER_ROUND = 4;

export interface CommitRequest {
  runId: string;
  round: number;
}

export function encodeCommitRequest({ runId, round }: CommitRequest): Uint8Array {
  return new ByteWriter().u8(1).hex(runId, 16, 'runId').u32(round).finish();
}

export function decodeCommitRequest(bytes: Uint8Array): CommitRequest {
  const reader = new ByteReader(bytes);
  if (reader.u8('kind') !== 1) throw new CodecError('unknown commit request');
  const request = { runId: reader.hex('runId', 16), round: reader.u32('round') };
  reader.end();
  return request;
}

/** Answers peers' requests for a round's commit with the one this peer recorded, as signed. */
export function serveCommits(
  libp2p: Libp2p,
  runId: string,
  signedCommit: (round: number) => Uint8Array | null,
  options: { timeoutMs: number; onMalformed?: (peer: string) => void },
): RequestStats {
  return serve(libp2p, COMMIT_PROTOCOL, { maxRequestBytes: 64, timeoutMs: options.timeoutMs, perMinute: 4 * MAX_MEND_ROUNDS, ...(options.onMalformed ? { onMalformed: options.onMalformed } : {}) }, async (body) => {
    const ask = decodeCommitRequest(body);
    if (ask.runId !== runId) throw new RequestError('unknown run');
    const bytes = signedCommit(ask.round);
    if (!bytes) throw new RequestError(`no commit of round ${ask.round} here`);
    return [bytes];
  });
}

/** A commit as signed, opened. */
export interface SignedCommit {
  commit: Commit;
  signer: string;
  bytes: Uint8Array;
}

/**
 * Round `round`'s commit that made `modelHash`, from the first of `peers` that holds it (null: none of them
 * does). A commit that does not open, or is of another run, round or model, is passed over.
 */
export async function fetchCommit(
  libp2p: Libp2p,
  peers: readonly PeerId[],
  ask: CommitRequest & { modelHash: string },
  options: { timeoutMs: number; received?: (bytes: number) => void },
): Promise<SignedCommit | null> {
  for (const peer of peers.slice(0, SOURCES_PER_ROUND)) {
    try {
      const frames = await request(libp2p, peer, COMMIT_PROTOCOL, encodeCommitRequest(ask), { timeoutMs: options.timeoutMs, maxFrameBytes: MAX_COMMIT_BYTES });
      const bytes = frames.length === 1 ? frames[0]! : null;
      if (!bytes) continue;
      options.received?.(bytes.length);
      const opened = await openCommit(bytes);
      if (opened.commit.runId === ask.runId && opened.commit.round === ask.round && opened.commit.modelHash === ask.modelHash) return { ...opened, bytes };
    } catch {
      // Unreachable, without that round, or not a commit: the next peer may have it.
    }
  }
  return null;
}

/** What a mend needs: the verified state synced to, this ledger's rounds, and a way to ask peers. */
export interface MendContext {
  runId: string;
  emission: Emission;
  /** The round the state opens, and the model it holds. */
  round: number;
  modelHash: string;
  /** The state's commit (null at round 0): the last commit of the network's chain before `round`. */
  stateCommit: SignedCommit | null;
  /** This ledger's record of a round (null: never opened here). */
  hashes: (round: number) => RoundHashes | null;
  /** The commit this ledger recorded for a round, as signed. */
  signedCommit: (round: number) => Uint8Array | null;
  /** The reward address each contribution of a round this ledger holds names. */
  rewardAddresses: (round: number) => Map<string, string | null>;
  /** Round `round`'s commit that made `modelHash`, from peers. */
  fetch: (round: number, modelHash: string) => Promise<SignedCommit | null>;
}

/** The rounds this ledger recorded differently from the network's chain, as that chain has them, oldest first. */
export async function mendHistory(context: MendContext): Promise<MendRecord[]> {
  const { runId } = context;
  const mended: Array<{ round: number; baseHash: string; found: SignedCommit | null }> = [];
  // `want`: the model the round after `r` started from on the network's chain.
  let want = context.modelHash;
  const last = context.stateCommit?.commit.round ?? -1;
  let agreed: RoundHashes | null = null;
  for (let r = context.round - 1; r >= 0 && context.round - r <= MAX_MEND_ROUNDS; r--) {
    const row = context.hashes(r);
    if (!row) break;
    if (r > last) {
      // The network closed this round without a commit, on the base the state holds.
      if (row.modelHash !== null || row.baseHash !== want) mended.push({ round: r, baseHash: want, found: null });
      continue;
    }
    if (row.modelHash === want) {
      agreed = row;
      break;
    }
    const found = r === last ? context.stateCommit! : await context.fetch(r, want);
    if (!found) break;
    mended.push({ round: r, baseHash: found.commit.baseHash, found });
    want = found.commit.baseHash;
  }
  if (mended.length === 0) return [];
  if (mended.every((m) => !m.found)) return mended.reverse().map(({ round, baseHash }) => ({ runId, round, baseHash, commit: null }));

  // Each mended commit's credits need the reputation its round started from: the chain's commit before it.
  const oldest = mended.at(-1)!;
  const before = agreed?.modelHash ? await commitBefore(context, oldest.round, agreed.modelHash) : null;
  const chain = [...mended].reverse();
  let reputation = before?.commit.reputation ?? null;
  return chain.map(({ round, baseHash, found }): MendRecord => {
    if (!found) return { runId, round, baseHash, commit: null };
    const { commit, signer, bytes } = found;
    const record: MendRecord = {
      runId,
      round,
      baseHash,
      commit: {
        runId,
        round,
        modelHash: commit.modelHash,
        committedBy: signer,
        accepted: commit.accepted.map(({ hash, score }) => ({ hash, score })),
        rejected: commit.rejected,
        ...(reputation ? { rewards: roundCredits(context.emission, commit, addressesFor(commit, context.rewardAddresses(round)), reputation) } : {}),
        closedAt: Math.max(commit.committedAt, 0),
        signed: bytes,
      },
    };
    reputation = commit.reputation;
    return record;
  });
}

/** The commit of the round before `round` that made `modelHash`: this ledger's own, or a peer's. */
async function commitBefore(context: MendContext, round: number, modelHash: string): Promise<SignedCommit | null> {
  for (let r = round - 1; r >= 0 && round - r <= MAX_MEND_ROUNDS; r--) {
    const row = context.hashes(r);
    if (!row) return null;
    if (row.modelHash !== modelHash) {
      // A round closed without a commit keeps the model: look further back.
      if (row.modelHash === null) continue;
      return null;
    }
    const held = context.signedCommit(r);
    if (held) {
      const opened = await openCommit(held).catch(() => null);
      if (opened && opened.commit.round === r && opened.commit.modelHash === modelHash) return { ...opened, bytes: held };
    }
    return context.fetch(r, modelHash);
  }
  return null;
}

/**
 * The addresses a round's credits go to. A contribution this ledger never received has its credit computed as
 * if its header named an address: only the credits of the contributions held here are recorded, and a credit
 * does not depend on the other contributors' addresses (rewards/split.ts), only the round's unallocated rest.
 */
function addressesFor(commit: Commit, held: Map<string, string | null>): Map<string, string | null> {
  return new Map(commit.accepted.map(({ hash }) => [hash, held.has(hash) ? held.get(hash)! : '0x' + '0'.repeat(40)]));
}
