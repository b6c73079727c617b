/**
 * The contributions a peer holds, by round: what gossip brought (headers, checked here before they are
 * accepted), what their payloads decode to once fetched, and this peer's own. It fetches a contribution by its
 * header's hash from the peers that should have it — a few seconds each, checking the header's hash and the
 * payload's against the header — and serves the ones it holds to others over `CONTRIBUTION_PROTOCOL`. It
 * knows nothing of commits or timing; the round driver asks it, for the round it is in, what is valid.
 */
import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { CodecError } from '../p2p/codec.js';
import type { Check } from '../p2p/gossip.js';
import type { Peer } from '../p2p/peer.js';
import { request, RequestError } from '../p2p/request.js';
import type { RejectionReason } from '../verify/reasons.js';
import { decompress, NonFiniteUpdateError, type SparseUpdate } from './compress.js';
import { openContribution, type ContributionHeader } from './contribution.js';
import { CONTRIBUTION_PROTOCOL, MAX_HEADER_BYTES, decodeContributionRequest, encodeContributionRequest, sha256Hex } from './messages.js';
import type { RunSpec } from './run-spec.js';

export interface Held {
  header: ContributionHeader;
  peerId: string;
  bytes: Uint8Array;
  hash: string;
  payload: Uint8Array | null;
  /** The decoded payload; null until it has been fetched and checked. */
  update: SparseUpdate | null;
  /**
   * Why it is refused without scoring, when what its contributor signed is no use: its payload does not
   * decode, or it was made from another base than the round's. It stays held, so the commit can say so.
   */
  refused?: RejectionReason;
}

/** A payload that matches its signed hash and does not decode: its contributor's fault, the same from anyone. */
export class RefusedPayload extends Error {
  override name = 'RefusedPayload';
  constructor(
    readonly reason: RejectionReason,
    message: string,
  ) {
    super(message);
  }
}

/** How long one source gets to send a contribution before the next is asked: a payload is tens of kB. */
const FETCH_TIMEOUT_MS = 4000;
/** More contributions than this to one round is not a home network's round. */
const MAX_PER_ROUND = 4096;

/** Bytes a compressed payload of `size` values can take: header, table, 14 bits per kept value, a margin. */
export function payloadBound(size: number, spec: RunSpec): number {
  const { chunk, k } = spec.compression;
  return 64 + Math.ceil((Math.ceil(size / chunk) * Math.min(k, chunk) * 14) / 8);
}

export interface ContributionStoreOptions {
  spec: RunSpec;
  runId: string;
  peer: Peer;
  /** Values in the model (known once the driver has restored its state). */
  size(): number;
  requestTimeoutMs: number;
  /** Traffic, for the round's byte counts. */
  sent(bytes: number): void;
  received(bytes: number): void;
}

export class ContributionStore {
  private readonly byRound = new Map<number, Map<string, Held>>();
  private readonly self: string;

  constructor(private readonly options: ContributionStoreOptions) {
    this.self = options.peer.peerId;
  }

  /** The round's contributions by header hash (made on first use). */
  round(round: number): Map<string, Held> {
    let held = this.byRound.get(round);
    if (!held) {
      held = new Map();
      this.byRound.set(round, held);
    }
    return held;
  }

  /** Whether any round held here has the contribution `hash`. */
  has(hash: string): boolean {
    for (const held of this.byRound.values()) if (held.has(hash)) return true;
    return false;
  }

  /** Forgets every round before `round`. */
  forgetBefore(round: number): void {
    for (const [r] of this.byRound) if (r < round) this.byRound.delete(r);
  }

  /** A gossiped header, decoded strictly with its signature checked (a `CodecError` otherwise). */
  async decode(bytes: Uint8Array): Promise<Held> {
    const { header, peerId } = await openContribution(bytes);
    return { header, peerId, bytes, hash: sha256Hex(bytes), payload: null, update: null };
  }

  /** Whether a decoded header is of use while this peer is in `round` on `base`, and if not why. */
  check(c: Held, round: number, base: string): Check {
    const { header } = c;
    const { spec } = this.options;
    const size = this.options.size();
    if (header.runId !== this.options.runId) return { outcome: 'reject', reason: 'wrong-run' };
    if (header.round < round) return { outcome: 'ignore', reason: 'stale-round' };
    if (header.round > round + 1) return { outcome: 'ignore', reason: 'future-round' };
    if (header.round === round && header.baseHash !== base) return { outcome: 'ignore', reason: 'wrong-base' };
    if (header.steps === 0 || header.steps > spec.round.maxInnerSteps || header.samples !== header.steps * spec.batchSize) {
      return { outcome: 'reject', reason: 'bad-claim' };
    }
    if (header.payloadBytes > payloadBound(size, spec)) return { outcome: 'reject', reason: 'too-large' };
    const held = this.round(header.round);
    if (held.has(c.hash)) return { outcome: 'ignore', reason: 'duplicate' };
    if ([...held.values()].some((other) => other.peerId === c.peerId)) return { outcome: 'reject', reason: 'equivocation' };
    if (held.size >= MAX_PER_ROUND) return { outcome: 'ignore', reason: 'round-full' };
    return { outcome: 'accept' };
  }

  /** Holds a contribution as refused (see `Held.refused`), unless the round is full. */
  refuse(c: Held, reason: RejectionReason): void {
    const held = this.round(c.header.round);
    if (held.size >= MAX_PER_ROUND && !held.has(c.hash)) return;
    c.refused = reason;
    c.update = null;
    held.set(c.hash, c);
  }

  /** The round's contributions refused without scoring. */
  refused(round: number): Held[] {
    return [...this.round(round).values()].filter((c) => c.refused);
  }

  /**
   * Fetches and checks a held header's payload, from the first of `sources` that has it. A signed payload
   * that does not decode leaves the contribution refused, with the reason.
   */
  async load(c: Held, sources: string[]): Promise<void> {
    if (c.update || c.refused) return;
    try {
      const fetched = await this.fetch(c.hash, sources);
      c.payload = fetched.payload;
      c.update = fetched.update;
    } catch (error) {
      if (!(error instanceof RefusedPayload)) throw error;
      c.refused = error.reason;
    }
  }

  /**
   * A contribution by its hash from one of `sources`: header and payload, both checked. Kept if it is of
   * `keepFrom` or a later round; one already held (its header came by gossip) takes the payload.
   */
  async fetch(hash: string, sources: string[], keepFrom = 0): Promise<Held> {
    const { peer, runId, spec } = this.options;
    const size = this.options.size();
    let lastError: Error = new Error('no source');
    for (const source of new Set(sources)) {
      if (source === this.self) continue;
      let id: PeerId;
      try {
        id = peerIdFromString(source);
      } catch {
        continue;
      }
      try {
        const frames = await request(peer.libp2p, id, CONTRIBUTION_PROTOCOL, encodeContributionRequest({ runId, hash }), {
          timeoutMs: Math.min(this.options.requestTimeoutMs, FETCH_TIMEOUT_MS),
          maxFrameBytes: Math.max(MAX_HEADER_BYTES, payloadBound(size, spec)),
        });
        if (frames.length !== 2) throw new CodecError('a contribution is two frames');
        const [bytes, payload] = frames as [Uint8Array, Uint8Array];
        this.options.received(bytes.length + payload.length);
        if (sha256Hex(bytes) !== hash) throw new CodecError('the header does not match its hash');
        const held = await this.decode(bytes);
        if (held.header.runId !== runId) throw new CodecError('a contribution of another run');
        if (sha256Hex(payload) !== held.header.payloadHash) throw new CodecError('the payload does not match its hash');
        held.payload = payload;
        held.update = decodePayload(payload, size);
        const known = this.round(held.header.round).get(hash);
        if (known) {
          known.payload ??= held.payload;
          known.update ??= held.update;
          return known;
        }
        if (held.header.round >= keepFrom) this.round(held.header.round).set(hash, held);
        return held;
      } catch (error) {
        // Every source holds the same signed payload: asking the next would only waste its time.
        if (error instanceof RefusedPayload) throw error;
        lastError = error as Error;
      }
    }
    throw lastError;
  }

  /** Answers a peer's request for a contribution this peer holds with its payload: [header, payload]. */
  serve(body: Uint8Array): Uint8Array[] {
    const { runId, hash } = decodeContributionRequest(body);
    if (runId !== this.options.runId) throw new RequestError('unknown run');
    for (const held of this.byRound.values()) {
      const c = held.get(hash);
      if (c?.payload) {
        this.options.sent(c.bytes.length + c.payload.length);
        return [c.bytes, c.payload];
      }
    }
    throw new RequestError('unknown contribution');
  }
}

/** A payload whose hash its contributor signed, decoded; one that does not decode is refused. */
function decodePayload(payload: Uint8Array, size: number): SparseUpdate {
  try {
    return decompress(payload, size);
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
    throw new RefusedPayload(error instanceof NonFiniteUpdateError ? 'non-finite' : 'malformed', `its payload does not decode: ${error.message}`);
  }
}
