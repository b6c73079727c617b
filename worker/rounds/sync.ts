/**
 * State sync: a peer that joins, falls behind or finds its model hash wrong downloads the latest committed
 * state — the weights and outer momentum as one byte vector, with the commit that produced it and the reward
 * table its rewardRoot names (rewards/totals-codec.ts) — from the peers
 * that hold it. INFO names a peer's state and the sha256 of each of its chunks; the chunks then come from all
 * peers that report the state most of them report, a few at a time, each checked against its chunk hash as it
 * arrives and the whole against the state's hash at the end, so a peer that serves bad bytes costs a retry,
 * never a wrong model. Sync only moves bytes and checks hashes; the round driver checks the commit.
 */
import { createHash } from 'node:crypto';
import type { Libp2p, PeerId } from '@libp2p/interface';
import { ByteReader, ByteWriter, CodecError } from '../p2p/codec.js';
import { protocolId } from '../p2p/peer.js';
import { RequestError, request, serve, type RequestStats } from '../p2p/request.js';
import { MAX_TOTALS_BYTES } from '../rewards/totals-codec.js';

export const STATE_PROTOCOL = protocolId('state');

/** A home miner's model is megabytes; refuse claims past these before allocating anything. */
export const MAX_STATE_BYTES = 1 << 30;
export const MAX_CHUNKS = 65_536;
export const MAX_CHUNK_BYTES = 4 << 20;
export const MAX_COMMIT_BYTES = 1 << 20;
export const DEFAULT_CHUNK_BYTES = 1 << 20;

const INFO = 1;
const CHUNK = 2;
const HASH_BYTES = 32;
const MAX_INFO_BYTES = 16 + 4 + HASH_BYTES + 4 + 4 + 4 + MAX_CHUNKS * HASH_BYTES + 1 + 4 + MAX_COMMIT_BYTES + 4 + MAX_TOTALS_BYTES;

export interface SyncState {
  runId: string;
  /** The round these weights start. */
  round: number;
  /** The signed commit that produced them; null for round 0. */
  commit: Uint8Array | null;
  /** The reward table before this round, encoded (rewards/totals-codec.ts): what the commit's rewardRoot names. */
  totals: Uint8Array;
  /** float32 weights, then the outer momentum; never changed once handed to `serveState`. */
  vector: Uint8Array;
  /** sha256 hex of `vector`: the round's committed model hash. */
  hash: string;
}

export type StateRequest = { kind: 'info'; runId: string } | { kind: 'chunk'; runId: string; hash: string; index: number };

/** What INFO answers: the state, how it is cut into chunks, and each chunk's sha256. */
export interface StateInfo {
  runId: string;
  round: number;
  hash: string;
  total: number;
  chunkBytes: number;
  chunkHashes: Uint8Array[];
  commit: Uint8Array | null;
  totals: Uint8Array;
}

export function encodeStateRequest(ask: StateRequest): Uint8Array {
  const writer = new ByteWriter().u8(ask.kind === 'info' ? INFO : CHUNK).hex(ask.runId, 16, 'runId');
  if (ask.kind === 'chunk') writer.hex(ask.hash, HASH_BYTES, 'hash').u32(ask.index);
  return writer.finish();
}

export function decodeStateRequest(bytes: Uint8Array): StateRequest {
  const reader = new ByteReader(bytes);
  const kind = reader.u8('kind');
  let ask: StateRequest;
  if (kind === INFO) ask = { kind: 'info', runId: reader.hex('runId', 16) };
  else if (kind === CHUNK) ask = { kind: 'chunk', runId: reader.hex('runId', 16), hash: reader.hex('hash', HASH_BYTES), index: reader.u32('index') };
  else throw new CodecError(`unknown request kind ${kind}`);
  reader.end();
  return ask;
}

const chunkCount = (total: number, chunkBytes: number) => Math.ceil(total / chunkBytes);

export function encodeInfo(info: StateInfo): Uint8Array {
  if (info.total > MAX_STATE_BYTES) throw new RangeError(`a state of ${info.total} bytes is over the limit of ${MAX_STATE_BYTES}`);
  if (info.commit && info.commit.length > MAX_COMMIT_BYTES) throw new RangeError(`a commit of ${info.commit.length} bytes is over the limit`);
  if (info.totals.length > MAX_TOTALS_BYTES) throw new RangeError(`a reward table of ${info.totals.length} bytes is over the limit`);
  if (info.chunkHashes.length > MAX_CHUNKS) throw new RangeError(`${info.chunkHashes.length} chunks is over the limit of ${MAX_CHUNKS}: use larger chunks`);
  const writer = new ByteWriter()
    .hex(info.runId, 16, 'runId')
    .u32(info.round)
    .hex(info.hash, HASH_BYTES, 'hash')
    .u32(info.total)
    .u32(info.chunkBytes)
    .u32(info.chunkHashes.length);
  for (const hash of info.chunkHashes) writer.fixed(hash);
  return (info.commit ? writer.u8(1).bytesField(info.commit) : writer.u8(0)).bytesField(info.totals).finish();
}

/** Strict, and refuses an INFO that does not add up: its chunk count must follow from the size and chunk size. */
export function decodeInfo(bytes: Uint8Array): StateInfo {
  const reader = new ByteReader(bytes);
  const runId = reader.hex('runId', 16);
  const round = reader.u32('round');
  const hash = reader.hex('hash', HASH_BYTES);
  const total = reader.u32('total');
  if (total > MAX_STATE_BYTES) throw new CodecError(`total: ${total} is over the limit of ${MAX_STATE_BYTES}`);
  const chunkBytes = reader.u32('chunk size');
  if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) throw new CodecError(`chunk size: ${chunkBytes} is not within 1..${MAX_CHUNK_BYTES}`);
  const count = reader.count('chunk count', MAX_CHUNKS);
  if (count !== chunkCount(total, chunkBytes)) throw new CodecError(`chunk count: ${count} chunks of ${chunkBytes} bytes cannot hold ${total} bytes`);
  const chunkHashes = Array.from({ length: count }, () => reader.fixed('chunk hash', HASH_BYTES));
  const flag = reader.u8('commit flag');
  if (flag > 1) throw new CodecError(`commit flag: ${flag} is neither 0 nor 1`);
  const commit = flag ? reader.bytesField('commit', MAX_COMMIT_BYTES).slice() : null;
  const totals = reader.bytesField('reward table', MAX_TOTALS_BYTES).slice();
  reader.end();
  return { runId, round, hash, total, chunkBytes, chunkHashes, commit, totals };
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();

/** sha256 of each chunk, yielding to the event loop between chunks so a large state does not stall the node. */
export async function chunkHashes(vector: Uint8Array, chunkBytes: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let at = 0; at < vector.length; at += chunkBytes) {
    if (at > 0) await pause();
    out.push(new Uint8Array(sha256(vector.subarray(at, at + chunkBytes))));
  }
  return out;
}

async function sha256Hex(vector: Uint8Array, step: number): Promise<string> {
  const hash = createHash('sha256');
  for (let at = 0; at < vector.length; at += step) {
    if (at > 0) await pause();
    hash.update(vector.subarray(at, at + step));
  }
  return hash.digest('hex');
}

export interface ServeStateOptions {
  chunkBytes?: number;
  timeoutMs?: number;
  /** Per peer; one chunk is one request, so this also caps how fast one peer downloads from us. */
  perMinute?: number;
  /** Told of every peer whose request was malformed. */
  onMalformed?: (peer: string) => void;
}

interface Served {
  state: SyncState;
  /** The encoded INFO answer: chunk hashes are computed once per state, not per request. */
  info: Promise<Uint8Array>;
}

/**
 * Serves `source()`'s state. Chunks of the state served just before stay available, so a download that
 * started before a round committed can finish.
 */
export function serveState(libp2p: Libp2p, source: () => SyncState | null, options: ServeStateOptions = {}): RequestStats {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) throw new RangeError(`chunkBytes must be within 1..${MAX_CHUNK_BYTES}`);
  let current: Served | null = null;
  let previous: Served | null = null;

  const refresh = (): SyncState | null => {
    const state = source();
    if (state && (state.hash !== current?.state.hash || state.runId !== current.state.runId)) {
      previous = current;
      const info = chunkHashes(state.vector, chunkBytes).then((hashes) =>
        encodeInfo({ runId: state.runId, round: state.round, hash: state.hash, total: state.vector.length, chunkBytes, chunkHashes: hashes, commit: state.commit, totals: state.totals }),
      );
      info.catch(() => undefined);
      current = { state, info };
    }
    return state;
  };

  const limits = { maxRequestBytes: 64, timeoutMs: options.timeoutMs ?? 30_000, perMinute: options.perMinute ?? 600, onMalformed: options.onMalformed };
  return serve(libp2p, STATE_PROTOCOL, limits, async (body) => {
    const ask = decodeStateRequest(body);
    const now = refresh();
    if (ask.kind === 'info') {
      if (!now || now.runId !== ask.runId || !current) throw new RequestError('unknown run');
      return [await current.info];
    }
    const served = [current, previous].find((s) => s?.state.runId === ask.runId && s.state.hash === ask.hash);
    if (!served) throw new RequestError('state gone');
    const { vector } = served.state;
    if (ask.index >= chunkCount(vector.length, chunkBytes)) throw new RequestError(`no chunk ${ask.index}`);
    return [vector.subarray(ask.index * chunkBytes, (ask.index + 1) * chunkBytes)];
  });
}

/** A chunk list reported by some peers of one state; peers serve chunks only as they cut them. */
export interface ChunkList {
  info: StateInfo;
  peers: string[];
}

export interface Candidate {
  round: number;
  hash: string;
  peers: string[];
  /** Most reported first. */
  lists: ChunkList[];
}

/** States by how many peers report them; ties go to the higher round, then the lower hash. */
export function rankCandidates(infos: ReadonlyMap<string, StateInfo>): Candidate[] {
  const byState = new Map<string, Candidate>();
  const lists = new Map<string, ChunkList>();
  for (const [peer, info] of infos) {
    const stateKey = `${info.round}:${info.hash}`;
    const candidate = byState.get(stateKey) ?? { round: info.round, hash: info.hash, peers: [], lists: [] };
    byState.set(stateKey, candidate);
    candidate.peers.push(peer);
    const listKey = `${stateKey}:${info.total}:${info.chunkBytes}:${Buffer.concat(info.chunkHashes).toString('hex')}`;
    let list = lists.get(listKey);
    if (!list) {
      list = { info, peers: [] };
      lists.set(listKey, list);
      candidate.lists.push(list);
    }
    list.peers.push(peer);
  }
  const ranked = [...byState.values()].sort((a, b) => b.peers.length - a.peers.length || b.round - a.round || (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  for (const candidate of ranked) candidate.lists.sort((a, b) => b.peers.length - a.peers.length);
  return ranked;
}

export interface FetchStateOptions {
  /** For the whole fetch. */
  timeoutMs: number;
  /** Chunk requests in flight, over all peers; default 4. */
  parallel?: number;
  /** For each request; default 10 s (never past the whole fetch's deadline). */
  requestTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface FetchedState {
  state: SyncState;
  /** Peer id → bytes of the state it served. */
  servedBy: Record<string, number>;
}

const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A state this peer already holds: a sync asks the peers first and downloads only what differs from it. */
export interface HeldState {
  round: number;
  hash: string;
}

/**
 * Downloads the state most of `peers` report for `runId`; throws an Error with a message for the user when none
 * can be had. With `have`, a state older than it or the same as it is never downloaded: null when no peer
 * reports another (a restarted peer that is still current costs the INFO requests only).
 */
export async function fetchState(libp2p: Libp2p, peers: PeerId[], runId: string, options: FetchStateOptions & { have: HeldState }): Promise<FetchedState | null>;
export async function fetchState(libp2p: Libp2p, peers: PeerId[], runId: string, options: FetchStateOptions): Promise<FetchedState>;
export async function fetchState(libp2p: Libp2p, peers: PeerId[], runId: string, options: FetchStateOptions & { have?: HeldState }): Promise<FetchedState | null> {
  const deadline = Date.now() + options.timeoutMs;
  const log = options.log ?? (() => {});
  const byId = new Map(peers.filter((peer) => !peer.equals(libp2p.peerId)).map((peer) => [peer.toString(), peer]));
  const failed = new Map<string, string>();
  const ask = async (peer: string, body: StateRequest, maxFrameBytes: number) => {
    const timeoutMs = Math.min(options.requestTimeoutMs ?? 10_000, deadline - Date.now());
    if (timeoutMs <= 0) throw new Error('out of time');
    const frames = await request(libp2p, byId.get(peer)!, STATE_PROTOCOL, encodeStateRequest(body), { timeoutMs, maxFrameBytes });
    if (frames.length !== 1) throw new CodecError(`${frames.length} frames instead of one`);
    return frames[0]!;
  };

  const infos = new Map<string, StateInfo>();
  await Promise.all(
    [...byId.keys()].map(async (peer) => {
      try {
        const info = decodeInfo(await ask(peer, { kind: 'info', runId }, MAX_INFO_BYTES));
        if (info.runId !== runId) throw new CodecError(`INFO for run ${info.runId}`);
        infos.set(peer, info);
      } catch (error) {
        failed.set(peer, reason(error));
      }
    }),
  );
  const summary = () => [...failed].slice(0, 4).map(([peer, why]) => `${peer.slice(-8)}: ${why}`).join('; ') || 'no peers';
  if (infos.size === 0) throw new Error(`no peer serves run ${runId} (${summary()})`);

  const { have } = options;
  const wanted = rankCandidates(infos).filter((c) => !have || c.round > have.round || (c.round === have.round && c.hash !== have.hash));
  if (have && wanted.length === 0) return null;
  for (const candidate of wanted) {
    for (const list of candidate.lists) {
      const live = list.peers.filter((peer) => !failed.has(peer));
      if (live.length === 0) continue;
      try {
        const { vector, servedBy } = await download(list.info, live, ask, failed, options.parallel ?? 4, deadline, log);
        if ((await sha256Hex(vector, list.info.chunkBytes)) !== candidate.hash) {
          for (const peer of list.peers) failed.set(peer, 'its chunk list does not add up to the state hash');
          log(`state sync: the chunk list of ${list.peers.length} peer(s) does not match hash ${candidate.hash}`);
          continue;
        }
        const { commit, totals } = chooseRecord(candidate.peers.filter((peer) => !failed.has(peer)), infos);
        return { state: { runId, round: candidate.round, commit, totals, vector, hash: candidate.hash }, servedBy };
      } catch (error) {
        if (Date.now() >= deadline) throw new Error(`could not download the state of run ${runId} in ${Math.round(options.timeoutMs / 1000)} s (${summary()})`);
        log(`state sync: round ${candidate.round} ${candidate.hash.slice(0, 12)}: ${reason(error)}`);
      }
    }
  }
  throw new Error(`could not download the state of run ${runId}: ${summary()}`);
}

/**
 * The commit and reward table most of the state's honest peers report, together (bytes, so a forged pair never
 * outvotes by accident); the round driver checks that the table is the one the commit's root names.
 */
export function chooseRecord(peers: string[], infos: ReadonlyMap<string, StateInfo>): Pick<StateInfo, 'commit' | 'totals'> {
  const votes = new Map<string, { record: Pick<StateInfo, 'commit' | 'totals'>; count: number }>();
  for (const peer of peers) {
    const { commit, totals } = infos.get(peer)!;
    const key = `${commit ? Buffer.from(commit).toString('hex') : ''}/${Buffer.from(totals).toString('hex')}`;
    votes.set(key, { record: { commit, totals }, count: (votes.get(key)?.count ?? 0) + 1 });
  }
  const best = [...votes].sort(([a, x], [b, y]) => y.count - x.count || (a < b ? -1 : a > b ? 1 : 0))[0];
  return best?.[1].record ?? { commit: null, totals: new Uint8Array(4) };
}

/** All chunks of one list, round-robin over its peers; a peer that fails or serves a bad chunk is dropped and the chunk retried. */
async function download(
  info: StateInfo,
  peers: string[],
  ask: (peer: string, body: StateRequest, maxFrameBytes: number) => Promise<Uint8Array>,
  failed: Map<string, string>,
  parallel: number,
  deadline: number,
  log: (line: string) => void,
): Promise<{ vector: Uint8Array; servedBy: Record<string, number> }> {
  const vector = new Uint8Array(info.total);
  const servedBy: Record<string, number> = {};
  const queue = info.chunkHashes.map((_, index) => index);
  let turn = 0;
  const nextPeer = () => {
    const live = peers.filter((peer) => !failed.has(peer));
    return live.length ? live[turn++ % live.length]! : null;
  };
  const worker = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      const peer = nextPeer();
      if (!peer || Date.now() >= deadline) return void queue.unshift(index);
      const start = index * info.chunkBytes;
      const length = Math.min(info.chunkBytes, info.total - start);
      try {
        const bytes = await ask(peer, { kind: 'chunk', runId: info.runId, hash: info.hash, index }, length);
        if (bytes.length !== length) throw new CodecError(`chunk ${index} has ${bytes.length} bytes, not ${length}`);
        if (!sha256(bytes).equals(info.chunkHashes[index]!)) throw new CodecError(`chunk ${index} does not match its hash`);
        vector.set(bytes, start);
        servedBy[peer] = (servedBy[peer] ?? 0) + length;
      } catch (error) {
        if (!failed.has(peer)) log(`state sync: dropping peer ${peer}: ${reason(error)}`);
        failed.set(peer, reason(error));
        queue.push(index);
      }
    }
  };
  // A chunk put back by a worker's failure after the others finished needs another pass.
  while (queue.length > 0) {
    if (!peers.some((peer) => !failed.has(peer))) throw new Error('no peer left that serves its chunks');
    if (Date.now() >= deadline) throw new Error('out of time');
    await Promise.all(Array.from({ length: Math.min(Math.max(1, parallel), queue.length) }, worker));
  }
  return { vector, servedBy };
}
