/**
 * Every inbound gossip message goes through one function: size cap first, then a strict decode, then the
 * topic's own checks (signature, run, round…), and the outcome — ACCEPT, IGNORE or REJECT, with a reason —
 * is counted per topic for /metrics. REJECT tells gossipsub the sender misbehaved, which scores it down and
 * eventually disconnects it; IGNORE drops a message that is merely useless (stale, a duplicate). A handler's
 * own bug is an IGNORE with reason "internal", never a crash of the node.
 */
import { CodecError } from './codec.js';
import { SignatureError } from './signed.js';

export type Outcome = 'accept' | 'ignore' | 'reject';

/** What a topic's check says of a decoded message: accept it, or drop it with a reason. */
export type Check = { outcome: 'accept' } | { outcome: 'ignore' | 'reject'; reason: string };

export interface TopicHandler<T> {
  topic: string;
  /** Larger messages are refused before any decoding. */
  maxBytes: number;
  /** Strict: throws (or rejects with) `CodecError` on anything malformed, a bad signature included. */
  decode(bytes: Uint8Array): T | Promise<T>;
  check(message: T, from: string): Check | Promise<Check>;
  /** Called once per accepted message. */
  deliver(message: T, from: string): void;
}

export class GossipStats {
  private readonly counts = new Map<string, { topic: string; outcome: Outcome; reason: string; count: number }>();

  count(topic: string, outcome: Outcome, reason: string): void {
    const key = `${topic}\u0000${outcome}\u0000${reason}`;
    const row = this.counts.get(key) ?? { topic, outcome, reason, count: 0 };
    row.count++;
    this.counts.set(key, row);
  }

  /** One row per (topic, outcome, reason) seen, for `airtist_p2p_messages_total`. */
  rows(): Array<{ topic: string; outcome: Outcome; reason: string; count: number }> {
    return [...this.counts.values()].map((row) => ({ ...row }));
  }

  total(topic: string, outcome: Outcome, reason?: string): number {
    return this.rows()
      .filter((row) => row.topic === topic && row.outcome === outcome && (reason === undefined || row.reason === reason))
      .reduce((sum, row) => sum + row.count, 0);
  }
}

/** Validates one inbound message for `handler`, counts the outcome, and delivers it if accepted. */
export async function validateGossip<T>(handler: TopicHandler<T>, data: Uint8Array, from: string, stats: GossipStats): Promise<Outcome> {
  const verdict = await (async (): Promise<Check & { message?: T }> => {
    if (data.length > handler.maxBytes) return { outcome: 'reject', reason: 'too-large' };
    let message: T;
    try {
      message = await handler.decode(data);
    } catch (error) {
      if (error instanceof SignatureError) return { outcome: 'reject', reason: 'bad-signature' };
      return error instanceof CodecError ? { outcome: 'reject', reason: 'malformed' } : { outcome: 'ignore', reason: 'internal' };
    }
    try {
      return { ...(await handler.check(message, from)), message };
    } catch {
      return { outcome: 'ignore', reason: 'internal' };
    }
  })();
  stats.count(handler.topic, verdict.outcome, verdict.outcome === 'accept' ? 'valid' : verdict.reason);
  if (verdict.outcome === 'accept') {
    try {
      handler.deliver(verdict.message as T, from);
    } catch {
      stats.count(handler.topic, 'ignore', 'delivery-failed');
    }
  }
  return verdict.outcome;
}
