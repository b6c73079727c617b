/**
 * "Export diagnostics": one zip a user can attach to a bug report. It holds what the node knows of itself
 * (versions, machine, state, settings, the network in numbers), the node's recent log, and the log files the
 * desktop app names (its main process's). Every text is passed through redactSecrets, and no file the secrets
 * live in (keystore, api-token, peer-key, validator.key) is ever read. Written into `<data-dir>/diagnostics/`,
 * readable by its owner only.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { arch, cpus, freemem, platform, release, totalmem } from 'node:os';
import type { DiagnosticsExport, NetworkStatus, Settings, Status } from '../api/contract.js';
import { ensureDataDir, writeFileAtomic } from '../data-dir.js';
import { appVersion } from '../paths.js';
import { redactSecrets } from './redact.js';
import { writeZip, type ZipEntry } from './zip.js';

/** The node's own log lines, the last `limit` of them. */
export interface LogRing {
  push(line: string): void;
  lines(): string[];
}

export function createLogRing(limit = 2000): LogRing {
  const lines: string[] = [];
  return {
    push(line) {
      lines.push(`${new Date().toISOString()} ${line}`);
      if (lines.length > limit) lines.splice(0, lines.length - limit);
    },
    lines: () => [...lines],
  };
}

export interface DiagnosticsSources {
  dataDir: string;
  status: Status;
  settings: Settings;
  network: NetworkStatus;
  log: LogRing;
  /** Other log files to include (the desktop app's main process), their last MAX_LOG_BYTES each. */
  logFiles?: readonly string[];
  now?: Date;
}

/** Of each log file, the end: where the trouble usually is. */
const MAX_LOG_BYTES = 2 * 1024 * 1024;

/** What the report says of the network: numbers and ids, not the addresses of the user or of other peers. */
function networkSummary(network: NetworkStatus) {
  return {
    enabled: network.enabled,
    peerId: network.peerId,
    peers: network.peers.length,
    round: network.round,
    lastCommit: network.lastCommit,
    bytesSent: network.bytesSent,
    bytesReceived: network.bytesReceived,
    resyncs: network.resyncs,
    messages: network.messages,
  };
}

function tail(file: string): string | null {
  try {
    const size = statSync(file).size;
    const text = readFileSync(file).subarray(Math.max(0, size - MAX_LOG_BYTES)).toString('utf8');
    return size > MAX_LOG_BYTES ? `[… the first ${size - MAX_LOG_BYTES} bytes left out]\n${text}` : text;
  } catch {
    return null; // rotated away or never written: nothing to add
  }
}

export function exportDiagnostics(sources: DiagnosticsSources): DiagnosticsExport {
  const now = sources.now ?? new Date();
  const report = {
    createdAt: now.toISOString(),
    app: { version: appVersion },
    runtime: {
      node: process.versions.node,
      electron: process.versions.electron ?? null,
      platform: platform(),
      release: release(),
      arch: arch(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      memoryBytes: totalmem(),
      freeMemoryBytes: freemem(),
    },
    status: sources.status,
    settings: sources.settings,
    network: networkSummary(sources.network),
  };
  const entries: ZipEntry[] = [
    { name: 'report.json', data: redactSecrets(JSON.stringify(report, null, 2)) },
    { name: 'node.log', data: redactSecrets(sources.log.lines().join('\n')) },
  ];
  for (const file of sources.logFiles ?? []) {
    const text = tail(file);
    const name = `logs/${basename(file).replace(/[^\w.-]/g, '_')}`;
    if (text !== null && !entries.some((entry) => entry.name === name)) entries.push({ name, data: redactSecrets(text) });
  }
  const zip = writeZip(entries);
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  const path = join(ensureDataDir(join(sources.dataDir, 'diagnostics')), `airtist-diagnostics-${stamp}.zip`);
  writeFileAtomic(path, zip, 0o600);
  return { path, bytes: zip.length, files: entries.map((entry) => entry.name) };
}
