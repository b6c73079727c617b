/**
 * State sync between real peers on loopback: a joining peer downloads the state from several peers at once,
 * keeps the right bytes when one serves bad chunks or a lying chunk list, follows the majority, and the
 * server answers malformed requests with reasons and goes on serving.
 */
import { createHash, randomBytes } from 'node:crypto';
import { peerIdFromString } from '@libp2p/peer-id';
import { afterAll, describe, expect, it } from 'vitest';
import type { Peer } from '../../../../worker/p2p/peer.js';
import { RequestError, request, serve } from '../../../../worker/p2p/request.js';
import {
  STATE_PROTOCOL,
  chunkHashes,
  decodeStateRequest,
  encodeInfo,
  encodeStateRequest,
  fetchState,
  serveState,
  type StateRequest,
  type SyncState,
} from '../../../../worker/rounds/sync.js';
import { loopbackPeers } from '../../../helpers/peers.js';

const RUN = 'a1'.repeat(16);
const CHUNK = 256 << 10;
const random = (length: number) => new Uint8Array(randomBytes(length));
/** Byte for byte; `toEqual` on megabytes is slow. */
const same = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.from(a).equals(Buffer.from(b));
const stateOf = (round: number, vector: Uint8Array, commit: Uint8Array | null = Uint8Array.of(1, 2, 3)): SyncState => ({
  runId: RUN,
  round,
  commit,
  totals: Uint8Array.of(1, 0, 0, 0, 0xaa),
  vector,
  hash: createHash('sha256').update(vector).digest('hex'),
});

/** A server that is not `serveState`: honest INFO built from `listed`, chunks cut from `served`. */
async function rogue(peer: Peer, state: SyncState, listed: Uint8Array, served: Uint8Array) {
  const asked = { chunks: 0 };
  const info = encodeInfo({ runId: RUN, round: state.round, hash: state.hash, total: listed.length, chunkBytes: CHUNK, chunkHashes: await chunkHashes(listed, CHUNK), commit: state.commit, totals: state.totals });
  serve(peer.libp2p, STATE_PROTOCOL, { maxRequestBytes: 64, timeoutMs: 5000, perMinute: 600 }, async (body) => {
    const ask = decodeStateRequest(body);
    if (ask.kind === 'info') return [info];
    asked.chunks++;
    return [served.subarray(ask.index * CHUNK, (ask.index + 1) * CHUNK)];
  });
  return asked;
}

describe('state sync', { timeout: 60_000 }, () => {
  const peers = loopbackPeers();
  afterAll(() => peers.stopAll());

  /** `count` servers and a client connected to all of them. */
  async function network(count: number) {
    const servers = await Promise.all(Array.from({ length: count }, () => peers.start()));
    const client = await peers.start();
    await Promise.all(servers.map((server) => client.dial(server.addresses()[0]!)));
    const ids = servers.map((server) => peerIdFromString(server.peerId));
    return { servers, client, ids };
  }

  it('downloads a 3 MiB state from three peers, spread over them', async () => {
    const { servers, client, ids } = await network(3);
    const state = stateOf(4, random(3 * (1 << 20) + 12_345));
    for (const server of servers) serveState(server.libp2p, () => state, { chunkBytes: CHUNK });

    const { state: got, servedBy } = await fetchState(client.libp2p, ids, RUN, { timeoutMs: 20_000 });

    expect(same(got.vector, state.vector)).toBe(true);
    expect(got).toMatchObject({ runId: RUN, round: 4, hash: state.hash, commit: Uint8Array.of(1, 2, 3) });
    expect(Object.values(servedBy).reduce((a, b) => a + b, 0)).toBe(state.vector.length);
    expect(Object.keys(servedBy).length).toBeGreaterThanOrEqual(2);
  });

  it('drops a peer that serves a flipped byte and gets that chunk from another', async () => {
    const { servers, client, ids } = await network(3);
    const state = stateOf(2, random(3 << 20));
    const tampered = Uint8Array.from(state.vector);
    tampered[5 * CHUNK + 17]! ^= 0x01;
    for (let i = 0; i < 12; i++) tampered[i * CHUNK]! ^= 0x80; // every chunk it serves is bad
    serveState(servers[0]!.libp2p, () => state, { chunkBytes: CHUNK });
    serveState(servers[1]!.libp2p, () => state, { chunkBytes: CHUNK });
    const liar = await rogue(servers[2]!, state, state.vector, tampered);

    const lines: string[] = [];
    const { state: got, servedBy } = await fetchState(client.libp2p, ids, RUN, { timeoutMs: 20_000, log: (line) => lines.push(line) });
    expect(same(got.vector, state.vector)).toBe(true);
    expect(liar.chunks).toBeGreaterThan(0);
    expect(liar.chunks).toBeLessThanOrEqual(4); // dropped at its first bad chunk: only those in flight then
    expect(servedBy[servers[2]!.peerId]).toBeUndefined();
    expect(lines.join('\n')).toContain(`dropping peer ${servers[2]!.peerId}: chunk`);
  });

  it('falls back to another chunk list when the most reported one does not add up to the hash', async () => {
    const { servers, client, ids } = await network(3);
    const state = stateOf(2, random(1 << 20));
    const forged = Uint8Array.from(state.vector);
    forged[100]! ^= 0xff;
    // Two peers agree on a list whose chunks match what they serve, but not the state's hash.
    await rogue(servers[0]!, state, forged, forged);
    await rogue(servers[1]!, state, forged, forged);
    serveState(servers[2]!.libp2p, () => state, { chunkBytes: CHUNK });

    const lines: string[] = [];
    const { state: got, servedBy } = await fetchState(client.libp2p, ids, RUN, { timeoutMs: 20_000, log: (line) => lines.push(line) });
    expect(same(got.vector, state.vector)).toBe(true);
    expect(Object.keys(servedBy)).toEqual([servers[2]!.peerId]);
    expect(lines.join('\n')).toContain('the chunk list of 2 peer(s) does not match');
  });

  it('follows the state most peers report; on a tie, the later round', async () => {
    const { servers, client, ids } = await network(3);
    const a = stateOf(5, random(300_000), Uint8Array.of(5));
    const b = stateOf(7, random(300_000), Uint8Array.of(7));
    const sources = [a, a, b];
    servers.forEach((server, i) => serveState(server.libp2p, () => sources[i]!, { chunkBytes: CHUNK }));

    const majority = await fetchState(client.libp2p, ids, RUN, { timeoutMs: 20_000 });
    expect(majority.state).toMatchObject({ round: 5, hash: a.hash, commit: Uint8Array.of(5) });
    expect(same(majority.state.vector, a.vector)).toBe(true);

    const tie = await fetchState(client.libp2p, ids.slice(1), RUN, { timeoutMs: 20_000 });
    expect(tie.state).toMatchObject({ round: 7, hash: b.hash, commit: Uint8Array.of(7) });
  });

  it("takes the reward table most of the state's peers report with its commit, not one peer's", async () => {
    const { servers, client, ids } = await network(3);
    const vector = random(300_000);
    const honest = stateOf(5, vector);
    const forged = { ...honest, totals: Uint8Array.of(1, 0, 0, 0, 0xbb) };
    const sources = [forged, honest, honest];
    servers.forEach((server, i) => serveState(server.libp2p, () => sources[i]!, { chunkBytes: CHUNK }));
    const { state } = await fetchState(client.libp2p, ids, RUN, { timeoutMs: 20_000 });
    expect(state.totals).toEqual(honest.totals);
    expect(state.commit).toEqual(honest.commit);
  });

  it('downloads nothing when the peer already holds the network\'s state, and only a newer or different one', async () => {
    const { servers, client, ids } = await network(2);
    const state = stateOf(6, random(600_000));
    const asked = await Promise.all(servers.map((server) => rogue(server, state, state.vector, state.vector)));
    const chunks = () => asked.reduce((sum, a) => sum + a.chunks, 0);

    expect(await fetchState(client.libp2p, ids, RUN, { timeoutMs: 20_000, have: { round: 6, hash: state.hash } })).toBeNull();
    expect(await fetchState(client.libp2p, ids, RUN, { timeoutMs: 20_000, have: { round: 7, hash: 'ab'.repeat(32) } })).toBeNull();
    expect(chunks()).toBe(0);

    const older = await fetchState(client.libp2p, ids, RUN, { timeoutMs: 20_000, have: { round: 5, hash: 'ab'.repeat(32) } });
    expect(same(older?.state.vector, state.vector)).toBe(true);
    const split = await fetchState(client.libp2p, ids, RUN, { timeoutMs: 20_000, have: { round: 6, hash: 'ab'.repeat(32) } });
    expect(split?.state.hash).toBe(state.hash);
    expect(chunks()).toBe(2 * Math.ceil(state.vector.length / CHUNK));
  });

  it('answers malformed requests with reasons, keeps the state before, and goes on serving', async () => {
    const { servers, client, ids } = await network(1);
    const [server, id] = [servers[0]!, ids[0]!];
    const states = [stateOf(1, random(600_000)), stateOf(2, random(600_000)), stateOf(3, random(600_000))];
    let now = 0;
    const stats = serveState(server.libp2p, () => states[now]!, { chunkBytes: CHUNK });
    const send = (body: Uint8Array) => request(client.libp2p, id, STATE_PROTOCOL, body, { timeoutMs: 5000, maxFrameBytes: 4 << 20 });
    const ask = (body: StateRequest) => send(encodeStateRequest(body));
    const chunk = (round: number, index: number) => ask({ kind: 'chunk', runId: RUN, hash: states[round - 1]!.hash, index });

    await expect(send(randomBytes(40))).rejects.toThrow(RequestError);
    await expect(send(Uint8Array.of(9, ...randomBytes(16)))).rejects.toThrow(new RequestError('unknown request kind 9'));
    await expect(ask({ kind: 'info', runId: 'b2'.repeat(16) })).rejects.toThrow(new RequestError('unknown run'));
    await expect(chunk(1, 3)).rejects.toThrow(new RequestError('no chunk 3'));
    expect(stats.failed).toMatchObject({ malformed: 2, handler: 2 });

    expect(same((await chunk(1, 2))[0], states[0]!.vector.subarray(2 * CHUNK))).toBe(true);
    now = 1; // a round commits: the state before stays for downloads in flight
    expect(same((await chunk(1, 0))[0], states[0]!.vector.subarray(0, CHUNK))).toBe(true);
    now = 2;
    await expect(chunk(1, 0)).rejects.toThrow(new RequestError('state gone'));
    expect(same((await chunk(2, 0))[0], states[1]!.vector.subarray(0, CHUNK))).toBe(true);

    const { state } = await fetchState(client.libp2p, ids, RUN, { timeoutMs: 20_000 });
    expect(state.hash).toBe(states[2]!.hash);
    expect(stats).toMatchObject({ served: 2 + 1 + 1 + 3, failed: { malformed: 2, handler: 3 } });
  });

  it('says clearly when no peer serves the run', async () => {
    const { servers, client, ids } = await network(2);
    serveState(servers[0]!.libp2p, () => null);
    const started = Date.now();
    await expect(fetchState(client.libp2p, ids, RUN, { timeoutMs: 3000 })).rejects.toThrow(new RegExp(`^no peer serves run ${RUN} \\(`));
    expect(Date.now() - started).toBeLessThan(4000);
  });
});
