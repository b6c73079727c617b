/**
 * Keeps the worker process (the miner node, in an Electron utilityProcess) alive: starts it, restarts it with
 * exponential backoff when it dies unexpectedly, stops it gracefully on quit, and hands out MessagePorts to it.
 *
 * `fork` and `MessageChannelMain` are passed in, so tests drive this with EventEmitter fakes.
 */
import type { ConnectPortMessage } from '../worker/api/contract.js';
import { createRestartBackoff, type RestartBackoffPolicy } from '../worker/restart-backoff.js';
import type { TrainerProcessNotice } from '../worker/training/protocol.js';
import type { SealResult } from '../worker/wallet/remembered-unlock.js';

/** Messages main sends to the worker process over `child.postMessage`. */
export type WorkerControlMessage = ConnectPortMessage | { type: 'shutdown' } | TrainerProcessNotice | SealResult;

/** The parts of Electron's UtilityProcess used here. */
export interface WorkerChild<Port> {
  postMessage(message: WorkerControlMessage, transfer?: Port[]): void;
  kill(): boolean;
  on(event: 'spawn', listener: () => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
}

export interface SupervisorOptions<Port> {
  fork(modulePath: string, args: string[], options: { serviceName: string; stdio: 'pipe' }): WorkerChild<Port>;
  MessageChannelMain: new () => { port1: Port; port2: Port };
  workerPath: string;
  dataDir: string;
  /** More arguments for the worker (the log files a diagnostics export includes). */
  workerArgs?: string[];
  log?: (line: string) => void;
  /** Where the worker's stdout/stderr go; main's own streams by default. */
  output?: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
  backoff?: RestartBackoffPolicy;
  /** How long the worker gets to stop by itself before it is killed. */
  stopTimeoutMs?: number;
}

export interface Supervisor<Port> {
  start(): void;
  /** A new port to the running worker for `client`, or null when no worker is running. */
  connect(client: string): Port | null;
  /** Ask the worker to stop, kill it if it has not exited after the timeout; never restarts after this. */
  stop(): Promise<void>;
  /**
   * Stops the worker as `stop` does, then starts a new one at once (settings that take effect at start). False
   * when the supervisor is stopping, or a restart is already under way.
   */
  restart(): Promise<boolean>;
  /** Each time a worker process has started: the moment to connect ports. */
  onStart(listener: () => void): void;
  /** Each time it exits; `restartInMs` is null when it will not be restarted. */
  onExit(listener: (code: number, restartInMs: number | null) => void): void;
  /** Each message the running worker sends main (its requests for trainer processes). */
  onMessage(listener: (message: unknown) => void): void;
  /** A message to the running worker; false when none runs. */
  post(message: WorkerControlMessage, transfer?: Port[]): boolean;
}

const DEFAULT_BACKOFF: RestartBackoffPolicy = { initialMs: 1_000, maxMs: 30_000, stableMs: 60_000 };
/** After a kill, how long to wait for the exit event before giving up on it (quit must not hang). */
const KILL_GRACE_MS = 2_000;

export function createSupervisor<Port>(options: SupervisorOptions<Port>): Supervisor<Port> {
  const { fork, MessageChannelMain, workerPath, dataDir } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const output = options.output ?? { stdout: process.stdout, stderr: process.stderr };
  const backoff = createRestartBackoff(options.backoff ?? DEFAULT_BACKOFF);
  const stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
  const startListeners: (() => void)[] = [];
  const exitListeners: ((code: number, restartInMs: number | null) => void)[] = [];
  const messageListeners: ((message: unknown) => void)[] = [];

  let child: WorkerChild<Port> | null = null;
  let spawned = false;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  let stopping: Promise<void> | null = null;
  let restarting: Promise<void> | null = null;
  /** The running worker was asked to stop: its exit is expected, and restarts nothing by itself. */
  let quiet = false;
  let exited: () => void = () => {};

  function scheduleRestart(code: number): void {
    const delay = backoff.nextDelay();
    log(`worker exited with code ${code}; restarting in ${delay / 1000} s`);
    restartTimer = setTimeout(spawnWorker, delay);
    for (const listener of exitListeners) listener(code, delay);
  }

  function spawnWorker(): void {
    restartTimer = undefined;
    backoff.started();
    let current: WorkerChild<Port>;
    try {
      current = fork(workerPath, ['--data-dir', dataDir, ...(options.workerArgs ?? [])], { serviceName: 'AIRTIST Miner worker', stdio: 'pipe' });
    } catch (error) {
      log(`could not start the worker: ${(error as Error).message}`);
      return scheduleRestart(-1);
    }
    child = current;
    spawned = false;
    current.stdout?.pipe(output.stdout, { end: false });
    current.stderr?.pipe(output.stderr, { end: false });
    current.on('spawn', () => {
      if (child !== current) return;
      spawned = true;
      for (const listener of startListeners) listener();
    });
    current.on('message', (message) => {
      if (child !== current) return;
      for (const listener of messageListeners) listener(message);
    });
    current.on('exit', (code) => {
      if (child !== current) return;
      child = null;
      spawned = false;
      if (quiet) {
        for (const listener of exitListeners) listener(code, null);
        return exited();
      }
      scheduleRestart(code);
    });
  }

  return {
    start() {
      if (child || restartTimer || stopping) return;
      spawnWorker();
    },

    connect(client) {
      if (!child || !spawned) return null;
      const { port1, port2 } = new MessageChannelMain();
      child.postMessage({ type: 'connect', client }, [port1]);
      return port2;
    },

    stop() {
      if (stopping) return stopping;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      stopping = restarting ? restarting.then(() => stopCurrent()) : stopCurrent();
      return stopping;
    },

    async restart() {
      if (stopping || restarting) return false;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      log('restarting the worker');
      restarting = stopCurrent();
      await restarting;
      restarting = null;
      if (stopping) return false;
      spawnWorker();
      return true;
    },

    onStart: (listener) => void startListeners.push(listener),
    onExit: (listener) => void exitListeners.push(listener),
    onMessage: (listener) => void messageListeners.push(listener),

    post(message, transfer = []) {
      if (!child || !spawned) return false;
      child.postMessage(message, transfer);
      return true;
    },
  };

  /** Asks the running worker to stop, and kills it if it has not after the timeout; its exit restarts nothing. */
  function stopCurrent(): Promise<void> {
    const current = child;
    if (!current) return Promise.resolve();
    quiet = true;
    return new Promise<void>((resolve) => {
      let killTimer: ReturnType<typeof setTimeout> | undefined;
      let graceTimer: ReturnType<typeof setTimeout> | undefined;
      exited = () => {
        clearTimeout(killTimer);
        clearTimeout(graceTimer);
        resolve();
      };
      killTimer = setTimeout(() => {
        log(`worker did not stop within ${stopTimeoutMs / 1000} s; killing it`);
        current.kill();
        graceTimer = setTimeout(resolve, KILL_GRACE_MS);
      }, stopTimeoutMs);
      try {
        current.postMessage({ type: 'shutdown' });
      } catch {
        current.kill(); // the process is already going away
      }
    }).finally(() => (quiet = false));
  }
}
