/**
 * Request/response over a libp2p stream protocol, for what is too large for gossip (model weights, payloads):
 * the client sends one request frame; the server answers with any number of frames, each `status · body`
 * (OK, or ERROR with a reason), and ends with an END frame. Every inbound stream has a deadline, a cap on the
 * request's size, and a per-peer rate limit; a misbehaving client costs one stream, never the node.
 */
import type { Libp2p, PeerId, Stream } from '@libp2p/interface';
import { CodecError } from './codec.js';
import { frame, readFrames } from './frames.js';

const OK = 0;
const ERROR = 1;
const END = 2;

export interface ServeOptions {
  maxRequestBytes: number;
  /** The whole exchange, read and write, must finish within this. */
  timeoutMs: number;
  /** Requests per peer per minute; more are answered with an error and not handled. */
  perMinute: number;
  /** Told of every peer whose request was malformed (a strike: see misbehaviour.ts). */
  onMalformed?: (peer: string) => void;
}

export interface RequestStats {
  served: number;
  failed: Record<'rate-limited' | 'malformed' | 'timeout' | 'handler', number>;
}

/** Thrown by the handler to answer with a reason instead of frames (the client sees `RequestError`). */
export class RequestError extends Error {
  override name = 'RequestError';
}

/** `promise`, or a rejection once `signal` aborts: a stuck handler must not hold the exchange past its deadline. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('request timed out'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function send(stream: Stream, bytes: Uint8Array, signal: AbortSignal): Promise<void> {
  if (!stream.send(bytes)) await stream.onDrain({ signal });
}

const status = (code: number, body: Uint8Array = new Uint8Array(0)) => {
  const out = new Uint8Array(1 + body.length);
  out[0] = code;
  out.set(body, 1);
  return frame(out);
};

export function serve(
  libp2p: Libp2p,
  protocol: string,
  options: ServeOptions,
  handler: (request: Uint8Array, from: string) => AsyncIterable<Uint8Array> | Promise<Uint8Array[]>,
): RequestStats {
  const stats: RequestStats = { served: 0, failed: { 'rate-limited': 0, malformed: 0, timeout: 0, handler: 0 } };
  const recent = new Map<string, number[]>();
  const allowed = (peer: string) => {
    const now = Date.now();
    const times = (recent.get(peer) ?? []).filter((t) => now - t < 60_000);
    if (times.length >= options.perMinute) return false;
    times.push(now);
    recent.set(peer, times);
    return true;
  };

  void libp2p.handle(protocol, async (stream, connection) => {
    const from = connection.remotePeer.toString();
    const signal = AbortSignal.timeout(options.timeoutMs);
    const abort = () => stream.abort(new Error('request timed out'));
    signal.addEventListener('abort', abort, { once: true });
    try {
      if (!allowed(from)) {
        stats.failed['rate-limited']++;
        await send(stream, status(ERROR, new TextEncoder().encode('rate limited')), signal);
        return;
      }
      const frames = readFrames(stream, options.maxRequestBytes);
      const first = await untilAborted(frames.next(), signal);
      if (first.done) throw new CodecError('no request');
      const answer = await untilAborted(Promise.resolve(handler(first.value, from)), signal);
      const bodies = (answer as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]?.() ?? (answer as Uint8Array[])[Symbol.iterator]();
      for (;;) {
        const next = await untilAborted(Promise.resolve(bodies.next()), signal);
        if (next.done) break;
        await send(stream, status(OK, next.value), signal);
      }
      await send(stream, status(END), signal);
      stats.served++;
    } catch (error) {
      if (signal.aborted) stats.failed.timeout++;
      else if (error instanceof CodecError) {
        stats.failed.malformed++;
        options.onMalformed?.(from);
      }
      else stats.failed.handler++;
      const reason = error instanceof RequestError || error instanceof CodecError ? error.message : 'internal error';
      if (!signal.aborted) await send(stream, status(ERROR, new TextEncoder().encode(reason)), signal).catch(() => undefined);
    } finally {
      signal.removeEventListener('abort', abort);
      await stream.close().catch(() => stream.abort(new Error('close failed')));
    }
  }, { maxInboundStreams: 8, runOnLimitedConnection: true });
  return stats;
}

export interface RequestOptions {
  timeoutMs: number;
  /** Cap on each response frame. */
  maxFrameBytes: number;
}

/** Sends `request` and collects the response frames until END; an ERROR frame rejects with its reason. */
export async function request(libp2p: Libp2p, peer: PeerId, protocol: string, body: Uint8Array, options: RequestOptions): Promise<Uint8Array[]> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  // Through a relay if need be (a limited connection: see RELAY_LIMITS in peer.ts).
  const stream = await libp2p.dialProtocol(peer, protocol, { signal, runOnLimitedConnection: true });
  const abort = () => stream.abort(new Error('request timed out'));
  signal.addEventListener('abort', abort, { once: true });
  try {
    await send(stream, frame(body), signal);
    const out: Uint8Array[] = [];
    for await (const reply of readFrames(stream, options.maxFrameBytes + 1)) {
      const code = reply[0];
      if (code === OK) out.push(reply.subarray(1));
      else if (code === END) return out;
      else if (code === ERROR) throw new RequestError(new TextDecoder().decode(reply.subarray(1)));
      else throw new CodecError(`unknown response status ${code}`);
    }
    throw new CodecError('the response ended without END');
  } finally {
    signal.removeEventListener('abort', abort);
    await stream.close().catch(() => undefined);
  }
}
