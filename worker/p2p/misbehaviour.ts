/**
 * Peers that keep sending invalid data are cut off: each rejected message or malformed request is a strike;
 * `limit` strikes within `windowMs` ban the peer for `banMs` — its connections are closed and the connection
 * gater refuses it both ways until the ban ends. A single bad message (a bug, a version skew) costs nothing
 * lasting; a flood does. Pure bookkeeping with an injectable clock; peer.ts wires it to libp2p.
 */
export interface MisbehaviourOptions {
  limit: number;
  windowMs: number;
  banMs: number;
  now?: () => number;
}

export const DEFAULT_MISBEHAVIOUR: MisbehaviourOptions = { limit: 20, windowMs: 60_000, banMs: 10 * 60_000 };

/** Peers tracked at most; the oldest strikes are forgotten first, so a swarm of fresh ids cannot exhaust memory. */
const MAX_TRACKED = 4096;

export class Misbehaviour {
  private readonly strikes = new Map<string, number[]>();
  private readonly bans = new Map<string, number>();
  private readonly now: () => number;
  /** Bans handed out since start. */
  banCount = 0;

  constructor(private readonly options: MisbehaviourOptions = DEFAULT_MISBEHAVIOUR) {
    this.now = options.now ?? Date.now;
  }

  /** Counts one strike; true when it bans the peer (once per ban). */
  strike(peer: string): boolean {
    if (this.banned(peer)) return false;
    const now = this.now();
    const recent = (this.strikes.get(peer) ?? []).filter((at) => now - at < this.options.windowMs);
    recent.push(now);
    this.strikes.delete(peer);
    if (recent.length < this.options.limit) {
      this.strikes.set(peer, recent);
      if (this.strikes.size > MAX_TRACKED) this.strikes.delete(this.strikes.keys().next().value!);
      return false;
    }
    this.bans.set(peer, now + this.options.banMs);
    if (this.bans.size > MAX_TRACKED) this.bans.delete(this.bans.keys().next().value!);
    this.banCount++;
    return true;
  }

  banned(peer: string): boolean {
    const until = this.bans.get(peer);
    if (until === undefined) return false;
    if (this.now() < until) return true;
    this.bans.delete(peer);
    return false;
  }

  /** Peers banned now. */
  bannedCount(): number {
    for (const peer of [...this.bans.keys()]) this.banned(peer);
    return this.bans.size;
  }
}
