/**
 * `airtist node`: the headless miner. Trains, serves the dashboard and the control API on loopback, prints
 * progress, and shuts down cleanly (checkpoint, ledger closed, exit 0) on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { BACKENDS, DATASETS, MODELS, type BackendName, type DatasetName, type ModelName, type NetworkStatus, type Status } from '../api/contract.js';
import { startHttpServer } from '../api/http-server.js';
import { loadOrCreateToken } from '../api/token.js';
import { multiaddr } from '@multiformats/multiaddr';
import '../p2p/polyfill.js';
import { startNode, type MinerNode, type NetworkOptions } from '../node.js';
import { ADVERSARY_KINDS, type AdversaryKind } from '../rounds/adversary.js';
import { DEFAULT_RUN_SPEC } from '../rounds/run-spec.js';
import { rendererDir } from '../paths.js';
import { defaultDataDir } from '../default-data-dir.js';
import { UsageError, negativeValuesJoined, oneOf } from './usage.js';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../data-dir.js';
import { readChainConfig } from '../chain/config.js';
import type { ChainChoice } from '../wallet/service.js';
import type { TrainerIsolation } from '../training/trainer-link.js';

export const NODE_USAGE = `Usage: airtist node [options]

Runs the miner without a window and serves its dashboard on 127.0.0.1.

Options:
  --data-dir DIR     where the ledger, checkpoints and token live (default: the desktop app's)
  --port PORT        dashboard port on 127.0.0.1 (default 7357; 0 picks a free one)
  --model NAME       ${MODELS.join(' | ')} (default: best for the backend)
  --dataset NAME     ${DATASETS.join(' | ')} (default: mnist)
  --backend NAME     ${BACKENDS.join(' | ')} (default: best available)
  --batch-size N     samples per step (default: the model's)
  --min-free-disk MB free space training always leaves on the data dir's disk (default 100)
  --progress-every S seconds between progress lines (default 5; 0 = quiet)
  --paused           start paused this time (the node joins and follows the network; Resume on the dashboard
                     starts training)
  --trainer WHERE    process | thread: run the training compute in a child process at the lowest priority,
                     which a pause freezes at once (default), or in a thread of this process (Linux lowers
                     it alone to nice 19; a pause waits for its micro-step, so micro-steps stay short)

Network (the node joins the swarm and trains in rounds unless --offline). The listen port, bootstrap peers,
relay and chain come from the saved settings (the dashboard's Settings page) unless these flags name them:
  --listen ADDR      multiaddr to listen on; repeatable (default /ip4/0.0.0.0/tcp/7358, /ip4/0.0.0.0/tcp/7359/ws
                     and /p2p-circuit, a reservation on a relay when behind NAT)
  --announce ADDR    address to tell peers instead of the ones found (a public address); repeatable
  --bootstrap ADDR   peer to join through, /ip4/…/tcp/…/p2p/<id>; repeatable
  --relay            also serve as a circuit relay and bootstrap node for peers behind NAT
  --no-mdns          do not look for peers on the LAN
  --offline          no network: train alone, without rounds
  --round-seconds S  training window of a round (default ${DEFAULT_RUN_SPEC.round.seconds}; a test network sets its own run)
  --inner-steps H    at most this many steps per round (default ${DEFAULT_RUN_SPEC.round.maxInnerSteps})
  --epoch-rounds N   rounds per reward epoch (default ${DEFAULT_RUN_SPEC.rewards.epochRounds}; a test network sets its own run)
  --reward-address A the 0x address this node's rewards are credited to (instead of the wallet's)
  --quorum N         a round closes once N contributions are in, or every active peer's (a test network's run)
  --adversary KIND   cheat in every round, to test the network's defences: ${ADVERSARY_KINDS.join(' | ')}
  --chain WHERE      where rewards are claimed: devnet (default: an EVM chain inside the node), none, or a
                     chain config file: {"rpcUrl", "chainId", "mining", "token"} for a testnet or mainnet`;

const PROGRESS_EVERY_SECONDS = 5;

export async function nodeCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: negativeValuesJoined(argv),
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string', default: '7357' },
      model: { type: 'string' },
      dataset: { type: 'string' },
      backend: { type: 'string' },
      'batch-size': { type: 'string' },
      'min-free-disk': { type: 'string' },
      'progress-every': { type: 'string', default: String(PROGRESS_EVERY_SECONDS) },
      paused: { type: 'boolean' },
      trainer: { type: 'string' },
      listen: { type: 'string', multiple: true },
      announce: { type: 'string', multiple: true },
      bootstrap: { type: 'string', multiple: true },
      relay: { type: 'boolean' },
      'no-mdns': { type: 'boolean' },
      offline: { type: 'boolean' },
      'round-seconds': { type: 'string' },
      'inner-steps': { type: 'string' },
      'epoch-rounds': { type: 'string' },
      'reward-address': { type: 'string' },
      quorum: { type: 'string' },
      adversary: { type: 'string' },
      chain: { type: 'string', default: 'devnet' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(NODE_USAGE);
    return;
  }
  const port = integer(values.port, 'port', 0, 65535);
  const progressEvery = integer(values['progress-every'], 'progress-every', 0, 3600);
  const batchSize = values['batch-size'] === undefined ? undefined : integer(values['batch-size'], 'batch-size', 1, 4096);
  const dataDir = values['data-dir'] ?? defaultDataDir();
  const minFreeDisk = values['min-free-disk'] === undefined ? undefined : integer(values['min-free-disk'], 'min-free-disk', 0, 1_000_000);

  const networkFlags = values.offline ? undefined : networkOptions(values);
  const trainer = values.trainer === undefined ? undefined : oneOf<TrainerIsolation>(values.trainer, ['thread', 'process'], 'trainer');

  // A busy port is said before the node has made a file or started anything.
  if (port !== 0) await refuseBusyPort(port);
  const log = (line: string) => console.error(`[airtist] ${line}`);
  console.log(`Data dir: ${dataDir}`);
  const node = await startNode({
    dataDir,
    ...(values.model ? { model: oneOf<ModelName>(values.model, MODELS, 'model') } : {}),
    ...(values.dataset ? { dataset: oneOf<DatasetName>(values.dataset, DATASETS, 'dataset') } : {}),
    ...(values.backend ? { backend: oneOf<BackendName>(values.backend, BACKENDS, 'backend') } : {}),
    ...(batchSize ? { batchSize } : {}),
    ...(minFreeDisk !== undefined ? { reserveDiskBytes: minFreeDisk * 1e6 } : {}),
    ...(networkFlags ? { network: networkFlags } : {}),
    ...(trainer ? { trainer: { isolation: trainer } } : {}),
    ...(values.paused ? { startPaused: true } : {}),
    log,
  });
  const token = loadOrCreateToken(dataDir);
  const network = () => node.networkMetrics()!;
  const server = await startHttpServer({
    hub: node.hub,
    token,
    port,
    staticDir: rendererDir,
    status: node.status,
    ...(node.networkMetrics() ? { network } : {}),
    log,
  }).catch(
    async (error: NodeJS.ErrnoException) => {
      await node.stop();
      throw error.code === 'EADDRINUSE' ? new PortInUseError(port) : error;
    },
  );
  console.log(`Dashboard: ${server.url}?token=${token}`);
  // Where `airtist status` finds this node's API (the token is in api-token beside it).
  writeFileAtomic(join(dataDir, DASHBOARD_FILE), `${JSON.stringify({ url: server.url, pid: process.pid })}\n`);

  const ticker = progressEvery > 0 ? setInterval(() => console.log(progressLine(node)), progressEvery * 1000) : null;
  await new Promise<void>((resolve) => {
    // A Ctrl-C reaches us twice when `npm start` runs us (from the terminal and forwarded by the launcher):
    // the handlers stay installed so a repeated signal cannot kill the process halfway through its checkpoint.
    // The copy `npm start` forwards arrives within a moment of the first: only a later press is said.
    let stoppingAt: number | null = null;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stoppingAt !== null) {
        if (Date.now() - stoppingAt > REPEATED_SIGNAL_MS) log(`${signal}: still stopping (saving the checkpoint and the ledger)…`);
        return;
      }
      stoppingAt = Date.now();
      log(`${signal}: checkpointing and closing the ledger`);
      resolve();
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  });
  if (ticker) clearInterval(ticker);
  rmSync(join(dataDir, DASHBOARD_FILE), { force: true });
  await server.close();
  await node.stop();
  log('stopped');
}

/** The running node's dashboard address, in its data dir. */
export const DASHBOARD_FILE = 'dashboard.json';

/** A second Ctrl-C sooner than this after the first is the same press, forwarded by `npm start`. */
const REPEATED_SIGNAL_MS = 1000;

/** The dashboard's port is taken by another program (another node, most likely). */
export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(port: number) {
    super(`port ${port} is in use (another node?); stop it, or pass --port 0 for a free one`);
  }
}

/** Throws PortInUseError if 127.0.0.1:`port` cannot be bound now. */
async function refuseBusyPort(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

export function progressLine(node: Pick<MinerNode, 'status' | 'network'>): string {
  return statusLine(node.status(), node.network());
}

/** One line of what a node does: its state, speed, loss, round and today's work. */
export function statusLine(s: Status, n: NetworkStatus): string {
  const round = n.round ? [`round ${n.round.round} (${n.round.contributions}/${n.round.quorum})`, `${n.peers.length} peers`] : [];
  const losses = s.losses ? Object.entries(s.losses).map(([name, value]) => `${name} ${value.toFixed(3)}`).join(' ') : '–';
  return [
    `${s.state}${s.state === 'paused' ? ` (${s.reasonText})` : ''}`,
    `backend ${s.backend}`,
    `step ${s.step}`,
    `${s.samplesPerSecond.toFixed(1)} samples/s`,
    `loss ${losses}`,
    ...round,
    `today ${s.work.today.samples} samples${s.work.inProgress.samples > 0 ? ` (+${s.work.inProgress.samples} not yet recorded)` : ''}`,
  ].join(' · ');
}

/** The network flags, each address parsed now so a typo is a usage error, not a failure at start. */
function networkOptions(values: {
  listen?: string[] | undefined;
  announce?: string[] | undefined;
  bootstrap?: string[] | undefined;
  relay?: boolean | undefined;
  'no-mdns'?: boolean | undefined;
  'round-seconds'?: string | undefined;
  'inner-steps'?: string | undefined;
  'epoch-rounds'?: string | undefined;
  'reward-address'?: string | undefined;
  quorum?: string | undefined;
  adversary?: string | undefined;
  chain?: string | undefined;
}): NetworkOptions {
  const addresses = (list: string[] | undefined, name: string, withPeer = false) =>
    list?.map((text) => {
      let address;
      try {
        address = multiaddr(text);
      } catch {
        throw new UsageError(`--${name} must be a multiaddr like /ip4/127.0.0.1/tcp/7358, got "${text}"`);
      }
      if (withPeer && address.getComponents().every((component) => component.name !== 'p2p')) {
        throw new UsageError(`--${name} needs the peer id: ${text}/p2p/<id>`);
      }
      return text;
    });
  const listen = addresses(values.listen, 'listen');
  const announce = addresses(values.announce, 'announce');
  const bootstrap = addresses(values.bootstrap, 'bootstrap', true);
  return {
    ...(listen ? { listen } : {}),
    ...(announce ? { announce } : {}),
    ...(bootstrap ? { bootstrap } : {}),
    // Only what the command line names: the rest comes from the saved settings (network-options.ts).
    ...(values.relay ? { relay: true } : {}),
    mdns: !values['no-mdns'],
    ...(values['round-seconds'] !== undefined ? { roundSeconds: integer(values['round-seconds'], 'round-seconds', 1, 86_400) } : {}),
    ...(values['inner-steps'] !== undefined ? { innerSteps: integer(values['inner-steps'], 'inner-steps', 1, 100_000) } : {}),
    ...(values['epoch-rounds'] !== undefined ? { epochRounds: integer(values['epoch-rounds'], 'epoch-rounds', 1, 1_000_000) } : {}),
    ...(values['reward-address'] !== undefined ? { rewardAddress: rewardAddress(values['reward-address']) } : {}),
    ...(values.quorum !== undefined ? { quorum: integer(values.quorum, 'quorum', 1, 10_000) } : {}),
    ...(values.adversary !== undefined ? { adversary: oneOf<AdversaryKind>(values.adversary, ADVERSARY_KINDS, 'adversary') } : {}),
    ...(values.chain !== undefined ? { chain: chainChoice(values.chain) } : {}),
  };
}

/** devnet, none, or the path of a chain config (chain/config.ts), read and checked now. */
function chainChoice(value: string): ChainChoice {
  if (value === 'devnet' || value === 'none') return value;
  try {
    return { configured: readChainConfig(value) };
  } catch (error) {
    throw new UsageError(`--chain is devnet, none or a chain config file: ${(error as Error).message}`);
  }
}

/** An EVM address, any case (a checksum is not checked here: the wallet's own address needs none), as lowercase. */
function rewardAddress(text: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(text)) throw new UsageError(`--reward-address must be 0x and 40 hex digits, got "${text}"`);
  return text.toLowerCase();
}

function integer(text: string, name: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${text}"`);
  }
  return value;
}
