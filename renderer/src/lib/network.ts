/** How the peer network and its rounds read on the dashboard's Network view. Pure. */
import type { CommitSummary, RoundPhase, RoundRecord } from '../../../worker/api/contract.js';
import { formatDuration } from './format.js';
import { rejectionText } from './rejection.js';
import { strings } from './strings.js';

const words = strings.network;

/** What an unknown value shows: a peer's latency before its first ping, a round nobody committed yet. */
export const NONE = '–';

// Every Ed25519 peer id starts with the same multihash prefix: showing it tells peers apart no better.
const ED25519_PREFIX = '12D3KooW';

/** "12D3KooWAbCd…WxYz" (52 characters) → "AbCd…WxYz": what tells peers apart, short enough for a list. */
export function shortPeerId(id: string): string {
  const rest = id.startsWith(ED25519_PREFIX) ? id.slice(ED25519_PREFIX.length) : id;
  return rest.length <= 9 ? rest : `${rest.slice(0, 4)}…${rest.slice(-4)}`;
}

/** A peer as this node sees it: "you" for itself, its short id otherwise, "–" for nobody. */
export function peerLabel(id: string | null | undefined, self: string | null | undefined): string {
  if (!id) return NONE;
  return id === self ? words.you : shortPeerId(id);
}

/** A model hash for display: its first 8 hex digits, like a short git commit. */
export function shortHash(hash: string | null | undefined): string {
  return hash ? hash.slice(0, 8) : NONE;
}

const BYTE_UNITS = strings.format.bytes;

/** 512 → "512 B", 1234 → "1.23 kB", 5_600_000 → "5.6 MB" (decimal units, as network traffic is counted). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return NONE;
  for (let i = 0; ; i++) {
    const scaled = bytes / 1000 ** i;
    const digits = i === 0 || scaled >= 100 ? 0 : scaled >= 10 ? 1 : 2;
    const shown = Number(scaled.toFixed(digits));
    // 999_999 rounds to "1000 kB": say "1 MB" instead.
    if (shown < 1000 || i === BYTE_UNITS.length - 1) return strings.format.bytesAmount(shown, BYTE_UNITS[i] ?? '');
  }
}

/** A ping's round trip: "12 ms", "<1 ms" on loopback, "–" before the first one came back. */
export function formatLatency(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms) || ms < 0) return NONE;
  return ms < 1 ? strings.format.underOneMs : strings.format.milliseconds(Math.round(ms));
}

export const linkLabel = (direct: boolean): string => (direct ? words.direct : words.relayed);

export const phaseLabel = (phase: RoundPhase): string => words.phases[phase] ?? phase;

/** Time left in this peer's training window: "42 s", "1 m 05 s"; "closing…" once it ran out. */
export function countdownText(windowEndsAt: number, nowMs: number): string {
  // Zero until the driver opened its first round: there is no window to count down yet.
  if (!Number.isFinite(windowEndsAt) || windowEndsAt <= 0) return NONE;
  const left = Math.ceil((windowEndsAt - nowMs) / 1000);
  return left > 0 ? formatDuration(left) : words.closing;
}

/** "2 of 3": contributions seen this round against the quorum that closes it. */
export const quorumText = (contributions: number, quorum: number): string => words.quorum(contributions, quorum);

/** This node's part in a past round: "accepted", "rejected: <reason>", "pending" until the commit, or "–". */
export function contributionText(own: RoundRecord['own']): string {
  if (!own) return NONE;
  if (own.status === 'rejected') {
    const reason = rejectionText(own.reason, own.reasonText);
    return reason ? words.own.rejectedBecause(reason) : words.own.rejected;
  }
  // The ledger marks a contribution "received" until a commit accepts or rejects it.
  if (own.status === 'received') return words.own.pending;
  return own.status === 'accepted' ? words.own.accepted : own.status;
}

/**
 * Whether the round table must be asked again: `next` names another last commit than the one the table
 * reflects (`shown`: that commit's round, null for none yet, undefined when the table never loaded).
 */
export function isNewCommit(shown: number | null | undefined, next: CommitSummary | null): boolean {
  return (next?.round ?? null) !== shown;
}
