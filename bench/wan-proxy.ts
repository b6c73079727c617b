/**
 * A wide-area link emulated in user space, for benchmarks on loopback (the kernel here has no netem): a TCP
 * proxy in front of one peer that delays every byte by a one-way latency in each direction and shapes it by
 * the token buckets of both ends' access links, so a peer's own link is shared by all its connections, the ones
 * it accepted and the ones it dialed (when `dialerLink` can tell who dialed). Bytes keep their order per
 * direction; a direction with too much queued pauses its source (as a full TCP window would); an end half-closes
 * the other side once its queue is delivered, and an error on either side closes both.
 */
import net from 'node:net';

/** Bytes one read is cut into before shaping: connections sharing a bucket interleave at this grain. */
const PIECE_BYTES = 16 * 1024;
/** Queued bytes at which a direction stops reading its source, and resumes below half. */
const HIGH_WATER_BYTES = 512 * 1024;

/**
 * A token bucket in virtual time: `reserve` books bytes in order of calls and returns when they have passed.
 * Tokens refill at `bytesPerSecond` up to `burstBytes`; a booking waits until enough are in.
 */
export class TokenBucket {
  private tokens: number;
  /** The time (ms) `tokens` is accounted up to: the last booking's departure. */
  private at = 0;
  /** Every byte booked so far. */
  bytes = 0;

  constructor(
    readonly bytesPerSecond: number,
    readonly burstBytes: number,
  ) {
    this.tokens = burstBytes;
  }

  /** Books `bytes` that reach the bucket at `earliest` (ms); the time they have passed it. */
  reserve(bytes: number, earliest: number): number {
    let time = Math.max(earliest, this.at);
    let tokens = Math.min(this.burstBytes, this.tokens + ((time - this.at) / 1000) * this.bytesPerSecond);
    if (tokens < bytes) {
      time += ((bytes - tokens) / this.bytesPerSecond) * 1000;
      tokens = bytes;
    }
    this.tokens = tokens - bytes;
    this.at = time;
    this.bytes += bytes;
    return time;
  }
}

/** One peer's access link: what it sends goes through `up`, what it receives through `down` (each counts its bytes). */
export interface Link {
  up: TokenBucket;
  down: TokenBucket;
}

/** A symmetric link of `bitsPerSecond` each way, with a burst of a few pieces. */
export function link(bitsPerSecond: number): Link {
  const bytes = bitsPerSecond / 8;
  return { up: new TokenBucket(bytes, 2 * PIECE_BYTES), down: new TokenBucket(bytes, 2 * PIECE_BYTES) };
}

export interface WanProxyOptions {
  /** Where the proxied peer listens (on 127.0.0.1). */
  targetPort: number;
  /** The proxied peer's access link. */
  link: Link;
  /** Added to every byte in each direction: the round-trip time is twice this. */
  oneWayDelayMs: number;
  /** The access link of whoever dialed from this local port, if it can be told; else only `link` shapes. */
  dialerLink?: (remotePort: number) => Promise<Link | null>;
}

export interface WanProxy {
  /** The port peers dial instead of the target's. */
  readonly port: number;
  /** Connections accepted so far, and how many of them had their dialer's link found. */
  readonly connections: { total: number; identified: number };
  /** The local ports of the proxy's own connections to the target (what the target sees as its peers). */
  targetSidePorts(): Set<number>;
  close(): Promise<void>;
}

/** Moves bytes one way: each piece booked through `buckets` in order, then delivered after the delay. */
function shapeDirection(from: net.Socket, to: net.Socket, buckets: TokenBucket[], delayMs: number): void {
  const queue: Array<{ at: number; chunk: Buffer }> = [];
  let queuedBytes = 0;
  let lastAt = 0;
  let ended = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let waitingForDrain = false;

  const deliver = () => {
    timer = null;
    if (to.destroyed) return;
    while (queue.length > 0 && queue[0]!.at <= Date.now() && !waitingForDrain) {
      const { chunk } = queue.shift()!;
      queuedBytes -= chunk.length;
      if (!to.write(chunk)) {
        waitingForDrain = true;
        to.once('drain', () => {
          waitingForDrain = false;
          deliver();
        });
      }
    }
    if (from.isPaused() && queuedBytes < HIGH_WATER_BYTES / 2 && !ended) from.resume();
    if (queue.length > 0 && !waitingForDrain) timer = setTimeout(deliver, Math.max(0, queue[0]!.at - Date.now()));
    else if (queue.length === 0 && ended && !to.writableEnded) to.end();
  };

  from.on('data', (data: Buffer) => {
    for (let offset = 0; offset < data.length; offset += PIECE_BYTES) {
      const chunk = data.subarray(offset, offset + PIECE_BYTES);
      let at = Date.now();
      for (const bucket of buckets) at = bucket.reserve(chunk.length, at);
      lastAt = Math.max(lastAt, at + delayMs); // never ahead of an earlier piece
      queue.push({ at: lastAt, chunk });
      queuedBytes += chunk.length;
    }
    if (queuedBytes >= HIGH_WATER_BYTES) from.pause();
    if (!timer && !waitingForDrain) deliver();
  });
  from.on('end', () => {
    ended = true;
    if (!timer && !waitingForDrain) deliver();
  });
  to.on('close', () => {
    if (timer) clearTimeout(timer);
    timer = null;
    queue.length = 0;
  });
}

export async function startWanProxy(options: WanProxyOptions): Promise<WanProxy> {
  const sockets = new Set<net.Socket>();
  const targetSide = new Set<net.Socket>();
  const connections = { total: 0, identified: 0 };
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    connections.total++;
    track(client);
    const target = net.connect({ host: '127.0.0.1', port: options.targetPort, allowHalfOpen: true });
    track(target);
    targetSide.add(target);
    target.once('close', () => targetSide.delete(target));
    target.pause();
    // An error on either side ends the connection on both; a clean end is passed on by shapeDirection.
    const fail = () => {
      client.destroy();
      target.destroy();
    };
    client.on('error', fail);
    target.on('error', fail);
    client.on('close', (hadError) => hadError && target.destroy());
    target.on('close', (hadError) => hadError && client.destroy());

    const dialer = options.dialerLink ? options.dialerLink(client.remotePort ?? 0).catch(() => null) : Promise.resolve(null);
    const connected = new Promise<void>((resolve) => target.once('connect', () => resolve()));
    void Promise.all([dialer, connected]).then(([dialerLink]) => {
      if (client.destroyed || target.destroyed) return fail();
      if (dialerLink) connections.identified++;
      const { up, down } = options.link;
      const inbound = dialerLink ? [dialerLink.up, down] : [down];
      const outbound = dialerLink ? [up, dialerLink.down] : [up];
      shapeDirection(client, target, inbound, options.oneWayDelayMs);
      shapeDirection(target, client, outbound, options.oneWayDelayMs);
      client.resume();
      target.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    connections,
    targetSidePorts: () => new Set([...targetSide].map((socket) => socket.localPort).filter((p): p is number => p !== undefined)),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
