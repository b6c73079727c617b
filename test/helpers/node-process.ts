/**
 * Starts the real headless miner (`node dist/worker/cli.js node`, as built by `npm run build`) as a child
 * process on loopback, and connects to its control API like the dashboard does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { connectWebSocket } from '../../worker/api/ws-connect.js';
import type { ApiClient } from '../../worker/api/contract.js';

export const CLI = fileURLToPath(new URL('../../dist/worker/cli.js', import.meta.url));

export interface NodeProcess {
  child: ChildProcess;
  url: string;
  port: number;
  token: string;
  output: () => string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | NodeJS.Signals>;
}

/** Starts `airtist node`; offline unless `extraArgs` give it network flags (tests keep to loopback: see `loopbackArgs`). */
export async function startNodeProcess(dataDir: string, extraArgs: string[] = [], timeoutMs = 60_000): Promise<NodeProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const network = extraArgs.includes('--listen') ? [] : ['--offline'];
  const child = spawn(process.execPath, [CLI, 'node', '--data-dir', dataDir, '--port', '0', '--progress-every', '1', ...network, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not print its dashboard URL:\n${output}`)), timeoutMs);
    const check = () => {
      const match = /^Dashboard: (http:\/\/\S+)$/m.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`node exited (${code}) before serving:\n${output}`)));
  });
  const parsed = new URL(url);
  return { child, url, port: Number(parsed.port), token: parsed.searchParams.get('token')!, output: () => output, exited };
}

/** Network flags for a test node: loopback only, a free port, no LAN discovery, joined through `bootstrap`. */
export function loopbackArgs(bootstrap: string[] = []): string[] {
  return ['--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', ...bootstrap.flatMap((address) => ['--bootstrap', address])];
}

/** The node's TCP address with its peer id: what another node on loopback is given to join through. */
export async function dialAddress(api: ApiClient): Promise<string> {
  const { addresses } = await api.call('network');
  const address = addresses.find((addr) => addr.includes('/tcp/') && !addr.includes('/ws'));
  if (!address) throw new Error(`the node listens on no plain TCP address: ${addresses.join(', ')}`);
  return address;
}

/** Stops the nodes as Ctrl-C would (SIGTERM) and waits until every one has exited. */
export async function stopNodes(nodes: readonly NodeProcess[]): Promise<void> {
  for (const node of nodes) node.child.kill('SIGTERM');
  await Promise.all(nodes.map((node) => node.exited));
}

/** An ApiClient over the node's WebSocket, as a browser tab would connect. */
export function connectApi(node: NodeProcess, timeoutMs?: number): Promise<ApiClient> {
  return connectWebSocket(node.url, timeoutMs);
}

/** Resolves with the first event value that satisfies `predicate`. */
export function nextEvent<T>(
  client: ApiClient,
  event: 'progress' | 'samples' | 'state' | 'work',
  predicate: (data: T) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching ${event} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = client.on(event, (data) => {
      if (predicate(data as T)) {
        clearTimeout(timer);
        off();
        resolve(data as T);
      }
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Answers the first-run wallet offer ("later"), for a browser test of another page. */
export async function skipWalletOffer(node: NodeProcess): Promise<void> {
  const api = await connectApi(node);
  try {
    await api.call('setSettings', { walletOffered: true });
  } finally {
    api.close();
  }
}
