/**
 * `airtist status` and `airtist stop`: a headless rig's node, seen and stopped from another terminal.
 * `status` asks the running node's control API (its address in `dashboard.json`, its token in `api-token`)
 * and prints one line, or says that no node runs on the data dir (exit 3). `stop` sends the node SIGTERM —
 * the same clean stop as Ctrl-C — and waits until it has released the data dir. No request to the API can
 * stop a node: only its owner's signal does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lockHolder } from '../data-dir.js';
import { defaultDataDir } from '../default-data-dir.js';
import { TOKEN_FILE } from '../api/token.js';
import { connectWebSocket } from '../api/ws-connect.js';
import { DASHBOARD_FILE, statusLine } from './node-command.js';
import { UsageError } from './usage.js';

export const STATUS_USAGE = `Usage: airtist status|stop|diagnostics [--data-dir DIR]

  status       one line of what the node on DIR does, and its dashboard link (exit 3 if none runs)
  stop         stop the node on DIR cleanly (as Ctrl-C does) and wait until it has
  diagnostics  the node writes a zip of its log, settings and state, secrets taken out, for a bug report

Options:
  --data-dir DIR   the node's data dir (default: the desktop app's)
  --timeout S      stop: how long to wait (default 60)

To open a rig's dashboard from another computer, forward its port over SSH and open the link locally:
  ssh -N -L 7357:127.0.0.1:PORT user@rig     then   http://127.0.0.1:7357/?token=…`;

/** No node runs on the data dir: for scripts, a distinct exit code. */
export class NotRunningError extends Error {
  override name = 'NotRunningError';
}

export async function statusCommand(action: 'status' | 'stop' | 'diagnostics', argv: string[], print: (line: string) => void = console.log): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, timeout: { type: 'string', default: '60' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) return print(STATUS_USAGE);
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const pid = lockHolder(dataDir);
  if (pid === null) throw new NotRunningError(`no node is running on ${dataDir}`);
  if (action === 'stop') {
    const seconds = Number(values.timeout);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) throw new UsageError('--timeout must be an integer from 1 to 3600');
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + seconds * 1000;
    while (lockHolder(dataDir) === pid) {
      if (Date.now() > deadline) throw new Error(`the node (pid ${pid}) did not stop within ${seconds} s; it may still be saving its checkpoint`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return print(`stopped the node on ${dataDir} (pid ${pid})`);
  }
  const { url, token } = readDashboard(dataDir);
  const link = `${url}?token=${token}`;
  const api = await connectWebSocket(link, 10_000).catch((error: Error) => {
    throw new Error(`the node (pid ${pid}) does not answer at ${url}: ${error.message}`);
  });
  try {
    if (action === 'diagnostics') {
      const written = await api.call('exportDiagnostics');
      print(`Diagnostics: ${written.path} (${Math.ceil(written.bytes / 1024)} KiB: ${written.files.join(', ')})`);
      return;
    }
    const [status, network] = await Promise.all([api.call('status'), api.call('network')]);
    print(`running (pid ${pid}) · ${statusLine(status, network)}`);
    print(`Dashboard: ${link}`);
  } finally {
    api.close();
  }
}

/** The running node's dashboard address and token; a node that serves none (the desktop app) says so. */
function readDashboard(dataDir: string): { url: string; token: string } {
  try {
    const { url } = JSON.parse(readFileSync(join(dataDir, DASHBOARD_FILE), 'utf8')) as { url: unknown };
    const token = readFileSync(join(dataDir, TOKEN_FILE), 'utf8').trim();
    if (typeof url !== 'string' || !/^http:\/\/127\.0\.0\.1:\d+\/?$/.test(url) || !/^[0-9a-f]{64}$/.test(token)) throw new Error('malformed');
    return { url, token };
  } catch {
    throw new NotRunningError(`a node runs on ${dataDir} but serves no dashboard there (the desktop app's worker, or one still starting)`);
  }
}
