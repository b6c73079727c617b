/**
 * What the node shows of its peer network, its rounds and its earnings, built from the services' own
 * records: pure functions of what they are given, so node.ts only wires. Reason codes become words here.
 */
import type { Earnings, NetworkStatus, RoundRecord, RunningNetwork } from './api/contract.js';
import type { Ledger } from './ledger/ledger.js';
import type { P2pService } from './p2p/service.js';
import { earningsOf } from './rewards/earnings.js';
import type { Emission } from './rewards/emission.js';
import type { RoundDriver } from './rounds/driver.js';
import { REJECTION_WORDS, type RejectionReason } from './verify/reasons.js';

/** The peer network and the rounds as the dashboard shows them; an offline node's is empty. */
export function networkView(p2p: P2pService | null, driver: RoundDriver | null, running: RunningNetwork | null): NetworkStatus {
  const rows = p2p?.peer.stats.rows() ?? [];
  const sum = (outcome: string) => rows.filter((row) => row.outcome === outcome).reduce((total, row) => total + row.count, 0);
  return {
    enabled: p2p !== null,
    running,
    peerId: p2p?.peer.peerId ?? null,
    addresses: p2p?.peer.addresses() ?? [],
    peers: p2p?.peers() ?? [],
    ...(driver?.info() ?? { round: null, lastCommit: null, bytesSent: 0, bytesReceived: 0, resyncs: 0 }),
    messages: { accept: sum('accept'), ignore: sum('ignore'), reject: sum('reject') },
  };
}

/** The run's latest rounds, each with this node's own contribution and, if refused, why in words. */
export function roundHistoryView(ledger: Ledger, runId: string, limit: number): RoundRecord[] {
  const { rounds } = ledger;
  return rounds.history(runId, limit).map(({ runId: _run, ...row }) => {
    const own = rounds.contributions(runId, row.round).find((c) => c.own);
    const reasonText = own?.reason ? (REJECTION_WORDS[own.reason as RejectionReason] ?? own.reason) : null;
    return { ...row, own: own ? { status: own.status, reason: own.reason, reasonText } : null };
  });
}

/** This node's contributions and AIRT, as the Earnings page shows them. */
/** Rounds the daily estimate looks back over: enough to smooth one slow round, recent enough to follow the pace. */
const RECENT_ROUNDS = 20;

export function earningsView(
  ledger: Ledger,
  runId: string,
  limit: number,
  context: { emission: Emission; round: number; rewardAddress: string | null; now: number; reputation: number },
): Earnings {
  const { earnings: records, rewards } = ledger;
  // The last rounds this peer saw committed, for the estimate of a day's AIRT at the network's pace.
  const recent = roundHistoryView(ledger, runId, RECENT_ROUNDS).map((r) => ({
    round: r.round,
    openedAt: r.openedAt,
    closedAt: r.closedAt,
    accepted: r.accepted,
    mine: r.own?.status === 'accepted',
  }));
  return earningsOf({
    recent,
    rows: records.own(runId, limit),
    counts: records.counts(runId),
    credited: records.credited(runId),
    epochs: rewards.epochs(runId),
    ...context,
  });
}
