/** Prometheus text exposition of the node's status. Names carry their unit (`_seconds`, `_total`). */
import type { NetworkStatus, Status } from './contract.js';
import type { HttpStats } from './http-server.js';
import type { ApiHub } from './hub.js';
import type { RequestStats } from '../p2p/request.js';

type Sample = [labels: Record<string, string>, value: number];

/** The peer network's side of /metrics: its status and every inbound message's outcome. */
export interface NetworkMetrics {
  status: NetworkStatus;
  messages: Array<{ topic: string; outcome: string; reason: string; count: number }>;
  /** Inbound stream requests by protocol. */
  requests: Record<string, RequestStats>;
  /** Peers banned for invalid data: now, and since start. */
  banned: { now: number; total: number };
}

function family(name: string, type: 'gauge' | 'counter', help: string, samples: Sample[]): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const rendered = Object.entries(labels)
      .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
      .join(',');
    lines.push(`${name}${rendered ? `{${rendered}}` : ''} ${Number.isFinite(value) ? value : 'NaN'}`);
  }
  return lines.join('\n');
}

const one = (value: number): Sample[] => [[{}, value]];

function networkFamilies({ status, messages, requests, banned }: NetworkMetrics): string[] {
  const requestSamples: Sample[] = Object.entries(requests).flatMap(([protocol, stats]) => [
    [{ protocol, outcome: 'served' }, stats.served] as Sample,
    ...Object.entries(stats.failed).map(([outcome, count]): Sample => [{ protocol, outcome }, count]),
  ]);
  return [
    family('airtist_p2p_peers', 'gauge', 'Connected peers.', one(status.peers.length)),
    family('airtist_p2p_relayed_peers', 'gauge', 'Connected peers reached only through a relay.', one(status.peers.filter((peer) => !peer.direct).length)),
    family(
      'airtist_p2p_messages_total',
      'counter',
      'Inbound gossip by topic, outcome (accept, ignore, reject) and reason.',
      messages.map(({ topic, outcome, reason, count }) => [{ topic, outcome, reason }, count]),
    ),
    family('airtist_p2p_requests_total', 'counter', 'Inbound stream requests by protocol and outcome (served, malformed, rate-limited, timeout, handler).', requestSamples),
    family('airtist_p2p_banned_peers', 'gauge', 'Peers cut off now for sending invalid data.', one(banned.now)),
    family('airtist_p2p_bans_total', 'counter', 'Bans handed out for invalid data since start.', one(banned.total)),
    family('airtist_p2p_sent_bytes_total', 'counter', 'Round traffic sent: headers, payloads, commits.', one(status.bytesSent)),
    family('airtist_p2p_received_bytes_total', 'counter', 'Round traffic received.', one(status.bytesReceived)),
    family('airtist_round', 'gauge', 'The round this node trains in.', one(status.round?.round ?? 0)),
    family('airtist_round_contributions', 'gauge', 'Valid contributions held for the current round.', one(status.round?.contributions ?? 0)),
    family('airtist_round_resyncs_total', 'counter', 'Downloads of the network state after falling behind.', one(status.resyncs)),
    family('airtist_round_last_commit', 'gauge', 'The last committed round.', one(status.lastCommit?.round ?? -1)),
  ];
}

export function renderMetrics(
  status: Status,
  hub: Pick<ApiHub, 'dispatcher' | 'connections' | 'dropped'>,
  http: HttpStats,
  network?: NetworkMetrics,
): string {
  const api = hub.dispatcher.stats;
  return [
    family('airtist_info', 'gauge', 'Static facts about this node.', [
      [{ version: status.appVersion, backend: status.backend, model: status.model, dataset: status.dataset, run: status.runId }, 1],
    ]),
    family('airtist_training', 'gauge', '1 while the node is training.', one(status.state === 'training' ? 1 : 0)),
    family('airtist_state', 'gauge', 'The node state and why (e.g. paused for a full disk), as a 1 with labels.', [
      [{ state: status.state, reason: status.reason }, 1],
    ]),
    family('airtist_training_steps_total', 'counter', 'Training steps of the current run, including restored ones.', one(status.step)),
    family('airtist_training_samples_per_second', 'gauge', 'Recent training throughput.', one(status.samplesPerSecond)),
    family(
      'airtist_training_loss',
      'gauge',
      "Recent training losses, by the task's name for each.",
      Object.entries(status.losses ?? {}).map(([name, value]) => [{ name }, value]),
    ),
    family('airtist_work_units_total', 'counter', 'Work units recorded in the ledger.', one(status.work.total.units)),
    family('airtist_work_samples_total', 'counter', 'Samples recorded in the ledger.', one(status.work.total.samples)),
    family('airtist_work_seconds_total', 'counter', 'Training time recorded in the ledger.', one(status.work.total.seconds)),
    family('airtist_uptime_seconds', 'gauge', 'Seconds since the node started.', one(status.uptimeSeconds)),
    family('airtist_api_connections', 'gauge', 'Open control API connections.', one(hub.connections)),
    family('airtist_api_calls_total', 'counter', 'Control API calls handled.', one(api.calls)),
    family(
      'airtist_api_rejected_total',
      'counter',
      'Control API messages rejected, by reason.',
      Object.entries(api.rejected).map(([code, count]) => [{ code }, count]),
    ),
    family('airtist_api_dropped_messages_total', 'counter', 'Replies and events a broken connection could not take.', one(hub.dropped)),
    family(
      'airtist_http_responses_total',
      'counter',
      'HTTP responses sent, by status code (101: WebSocket upgrades).',
      [...http.responses].sort(([a], [b]) => a - b).map(([code, count]) => [{ code: String(code) }, count]),
    ),
    family(
      'airtist_http_errors_total',
      'counter',
      'Errors caught at the HTTP/WebSocket server instead of crashing the node, by where they arose.',
      Object.entries(http.errors).map(([where, count]) => [{ where }, count]),
    ),
    ...(network ? networkFamilies(network) : []),
  ].join('\n\n') + '\n';
}
