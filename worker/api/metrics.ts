/** Prometheus text exposition of the node's status. Names carry their unit (`_seconds`, `_total`). */
import type { Status } from './contract.js';
import type { HttpStats } from './http-server.js';
import type { ApiHub } from './hub.js';

type Sample = [labels: Record<string, string>, value: number];

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

export function renderMetrics(status: Status, hub: Pick<ApiHub, 'dispatcher' | 'connections' | 'dropped'>, http: HttpStats): string {
  const one = (value: number): Sample[] => [[{}, value]];
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
  ].join('\n\n') + '\n';
}
