/**
 * Entry point of the worker when Electron runs it as a utilityProcess. Main hands us one MessagePort per
 * API client (itself, each window) and asks us to shut down; everything else is the same node as headless.
 */
import { parseArgs } from 'node:util';
import type { ConnectPortMessage } from './api/contract.js';
import { servePort, type PortLike } from './api/port-server.js';
import { startNode } from './node.js';
import { electronTrainers, type TrainerPort } from './training/trainer-electron.js';
import { defaultPlacement } from './training/trainer-link.js';
import { electronSealer } from './wallet/remembered-unlock.js';

/** The slice of Electron's `process.parentPort` we use (typed here: this file is built without Electron). */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: Array<PortLike & TrainerPort> }) => void): void;
  postMessage(message: unknown): void;
}

type FromMain = ConnectPortMessage | { type: 'shutdown' };

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) throw new Error('electron-entry must run in an Electron utilityProcess');

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { 'data-dir': { type: 'string' }, offline: { type: 'boolean' }, 'log-file': { type: 'string', multiple: true }, trainer: { type: 'string' } },
  strict: false,
});
const dataDir = values['data-dir'];
if (typeof dataDir !== 'string') throw new Error('--data-dir is required');

const log = (line: string) => console.error(`[worker] ${line}`);
// Trainer processes are started by main on the worker's request: its notices come at once, since the node waits
// for its trainer while it starts. `--trainer thread` trains in a thread of this process instead.
const trainers = electronTrainers(parentPort);
// The keychain, through main, for "unlock the wallet when the app starts".
const sealer = electronSealer(parentPort);
// API ports may arrive while the node is still starting: queue them until it can serve.
let handle: ((event: { data: unknown; ports: PortLike[] }) => void) | null = null;
const early: Array<{ data: unknown; ports: PortLike[] }> = [];
parentPort.on('message', (event) => {
  if (trainers.notice(event.data, event.ports) || sealer.result(event.data)) return;
  if (handle) handle(event);
  else early.push(event);
});

// The desktop app joins the network as its settings say (a taken port falls back to a free one).
const node = await startNode({
  dataDir,
  log,
  trainer: values.trainer === 'thread' ? { isolation: 'thread' } : { isolation: defaultPlacement().isolation, spawn: trainers.spawn },
  wallet: { sealer },
  // Main's log files, for a diagnostics export.
  logFiles: (values['log-file'] ?? []).filter((file): file is string => typeof file === 'string'),
  ...(values.offline ? {} : { network: {} }),
});
handle = (event) => {
  const message = event.data as FromMain;
  if (message?.type === 'connect' && event.ports[0]) {
    log(`api client connected: ${message.client}`);
    servePort(node.hub, event.ports[0]);
  } else if (message?.type === 'shutdown') {
    void node.stop().then(() => process.exit(0));
  }
};
early.splice(0).forEach(handle);
