/**
 * How the node reaches its trainer thread. Either the thread runs in the node's own process (a `thread`
 * placement: the fastest start, and on Linux the thread lowers its own nice value), or inside a child process
 * that runs at the lowest OS priority as a whole (a `process` placement: Windows and macOS keep one priority
 * per process, so only a process of its own lets the training compute yield to the user's programs while the
 * node's event loop, its API and its peers, keeps normal priority). The host sees one interface either way.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  CONTROL,
  type FromTrainer,
  type FromTrainerProcess,
  type ToTrainer,
  type ToTrainerProcess,
  type TrainerConfig,
} from './protocol.js';

export interface LinkHandlers {
  message(message: FromTrainer): void;
  /** The thread threw, or the child could not be started. */
  error(error: Error): void;
  /** The trainer is gone, after its last message; `code` 0 is a clean stop. */
  exit(code: number): void;
}

export interface TrainerLink {
  readonly isolation: TrainerIsolation;
  /** Starts the trainer with `config`, its first pause/resume command word already in place. */
  init(config: TrainerConfig, command: number): void;
  /** A message for the thread; `transfer` moves buffers where the link can (a thread), else they are copied. */
  post(message: Exclude<ToTrainer, { type: 'init' }>, transfer?: ArrayBuffer[]): void;
  /** Publishes a new pause/resume command word (see protocol.ts) and wakes a waiting trainer. */
  command(word: number): void;
  /** Asks the trainer to finish its step, checkpoint and exit. */
  stop(): void;
  /** Ends it now, mid-step (after a stop that overran its time). */
  terminate(): void;
  /** Whether the link keeps the node's process alive (a prespawned spare does not). */
  hold(keep: boolean): void;
  /**
   * Stops the trainer's compute at once, mid-step, everything it holds kept in memory (SIGSTOP to a trainer
   * process); false when it could not (the process is gone, or not started yet). `thaw` lets it go on
   * (SIGCONT). Absent where a trainer cannot be frozen: a thread, or Windows.
   */
  freeze?(): boolean;
  thaw?(): void;
}

export type TrainerIsolation = 'thread' | 'process';

/** A child process that runs trainer-process.ts, seen from the node. */
export interface TrainerChannel {
  send(message: ToTrainerProcess): void;
  kill(): void;
  hold?(keep: boolean): void;
  /** Stops or continues the whole process at once: false if it could not; absent where the OS has no such signals (Windows). */
  signal?(signal: 'SIGSTOP' | 'SIGCONT'): boolean;
}

/** Starts a trainer child process; its messages, failure to start and end go to `handlers`. */
export type TrainerSpawner = (handlers: {
  message(message: FromTrainerProcess): void;
  error(error: Error): void;
  /** The process ended; called after every message it sent has been delivered. */
  exit(code: number): void;
}) => TrainerChannel;

export interface TrainerPlacement {
  isolation: TrainerIsolation;
  /** How a `process` trainer is started; child_process.fork by default (Electron's main starts its own). */
  spawn?: TrainerSpawner;
}

/**
 * A process everywhere: Windows and macOS keep one priority per process, and where the OS can stop a process
 * (Linux, macOS) a pause freezes it at once, mid-step, so micro-steps need not be short and training keeps the
 * batch size the machine computes best. A thread (Linux lowers it alone to nice 19) starts faster and is what
 * `--trainer thread` asks for.
 */
export function defaultPlacement(): TrainerPlacement {
  return { isolation: 'process' };
}

/** The thread's entry and the child process's, built next to this file. */
const THREAD_ENTRY = new URL('./trainer.thread.js', import.meta.url);
const PROCESS_ENTRY = new URL('./trainer-process.js', import.meta.url);

export function spawnTrainerThread(): Worker {
  return new Worker(THREAD_ENTRY, { name: 'airtist-trainer' });
}

/** The trainer as a thread of this process, controlled through a shared buffer it reads between micro-steps. */
export function threadLink(worker: Worker, handlers: LinkHandlers): TrainerLink {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL.SLOTS * 4));
  worker.on('message', (message: FromTrainer) => handlers.message(message));
  worker.on('error', (error) => handlers.error(error));
  worker.once('exit', (code) => handlers.exit(code));
  return {
    isolation: 'thread',
    init(config, command) {
      Atomics.store(control, CONTROL.COMMAND, command);
      worker.postMessage({ type: 'init', config, control: control.buffer as SharedArrayBuffer } satisfies ToTrainer);
    },
    post: (message, transfer = []) => worker.postMessage(message, transfer),
    command(word) {
      Atomics.store(control, CONTROL.COMMAND, word);
      Atomics.notify(control, CONTROL.COMMAND);
    },
    stop() {
      Atomics.store(control, CONTROL.STOP, 1);
      Atomics.notify(control, CONTROL.COMMAND); // wakes a paused trainer so it can exit
    },
    terminate: () => void worker.terminate(),
    hold: (keep) => (keep ? worker.ref() : worker.unref()),
  };
}

/**
 * Trainer processes frozen now, each with the way to let it go. If this process exits (a crash included) they
 * are let go first: a stopped process whose parent is gone would otherwise stay stopped, unable even to notice.
 */
const frozenNow = new Set<() => void>();
let exitWatched = false;

function watchFrozen(thaw: () => void, frozen: boolean): void {
  if (!frozen) return void frozenNow.delete(thaw);
  frozenNow.add(thaw);
  if (exitWatched) return;
  exitWatched = true;
  process.once('exit', () => {
    for (const letGo of frozenNow) letGo();
  });
}

/** The trainer in a child process: the same calls as messages, which the child turns into its own shared buffer. */
export function processLink(spawn: TrainerSpawner, handlers: LinkHandlers): TrainerLink {
  let ended = false;
  /** The child reports its thread's exit code as its last message; a killed child only ends. */
  let threadExitCode: number | null = null;
  const channel = spawn({
    message: (message) => {
      if (message.type === 'exit') threadExitCode = message.code;
      else handlers.message(message);
    },
    error: (error) => handlers.error(error),
    // Reported once the process is gone: a stopped trainer leaves nothing running behind it.
    exit: (code) => {
      if (ended) return;
      ended = true;
      watchFrozen(thaw, false);
      handlers.exit(threadExitCode ?? code);
    },
  });
  const send = (message: ToTrainerProcess) => {
    if (!ended) channel.send(message);
  };
  const signal = channel.signal?.bind(channel);
  const thaw = () => {
    watchFrozen(thaw, false);
    if (!ended) signal!('SIGCONT');
  };
  const freeze = () => {
    if (ended || !signal!('SIGSTOP')) return false;
    watchFrozen(thaw, true);
    return true;
  };
  return {
    isolation: 'process',
    init: (config, command) => send({ type: 'init', config, command }),
    post: (message) => send(message),
    command: (word) => send({ type: 'command', word }),
    stop: () => send({ type: 'stop' }),
    terminate: () => channel.kill(),
    hold: (keep) => channel.hold?.(keep),
    ...(signal ? { freeze, thaw } : {}),
  };
}

/**
 * On Linux, util-linux's setpriv starts the trainer with a parent-death signal of SIGCONT: a trainer frozen by
 * a pause whose node is killed outright (SIGKILL, the OOM killer) is let go by the kernel, sees its node gone,
 * checkpoints and ends. Without setpriv the node's exit hook and the next trainer's start do it (trainer-pid.ts).
 */
const SETPRIV = process.platform === 'linux' ? (['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path)) ?? null) : null;

/** A trainer child process started with Node's IPC channel (the headless node, a test, a bench). */
export const forkTrainerProcess: TrainerSpawner = (handlers) => {
  // Its own Node flags only: the parent's (a test runner's loader, an inspector port) are not the trainer's.
  const node = [process.execPath, fileURLToPath(PROCESS_ENTRY)];
  const [command, ...args] = SETPRIV ? [SETPRIV, '--pdeathsig', 'CONT', ...node] : node;
  const child = spawn(command!, args, { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('message', (message: FromTrainerProcess) => handlers.message(message));
  child.on('error', (error) => handlers.error(error));
  // 'close' comes after the IPC channel has closed, so after the last message; a signal reads as a failure.
  child.once('close', (code) => handlers.exit(code ?? 1));
  return {
    send(message) {
      if (child.connected) child.send(message, (error) => error && handlers.error(error));
    },
    kill: () => void child.kill('SIGKILL'),
    ...(process.platform === 'win32' ? {} : { signal: (signal: 'SIGSTOP' | 'SIGCONT') => child.kill(signal) }),
    hold(keep) {
      if (keep) {
        child.ref();
        child.channel?.ref();
      } else {
        child.unref();
        child.channel?.unref();
      }
    },
  };
};

/** A trainer started before the node knew its config (see `prespawnTrainer`), not yet taken. */
let spare: { isolation: TrainerIsolation; link: TrainerLink; route: { to: LinkHandlers | null } } | null = null;

function open(placement: TrainerPlacement, handlers: LinkHandlers): TrainerLink {
  if (placement.isolation === 'thread') return threadLink(spawnTrainerThread(), handlers);
  return processLink(placement.spawn ?? forkTrainerProcess, handlers);
}

/**
 * Starts a trainer now, so that it loads TensorFlow.js while the node process loads its own modules (libp2p,
 * SQLite): a second of a start, on two cores. It waits for its config; the next `openTrainerLink` of the same
 * isolation takes it. It does not keep the process alive until then, and one that dies before is dropped.
 */
export function prespawnTrainer(isolation: TrainerIsolation = defaultPlacement().isolation): void {
  if (spare) return;
  const route: { to: LinkHandlers | null } = { to: null };
  const drop = () => {
    if (spare?.route === route) spare = null;
  };
  const link = open({ isolation }, {
    message: (message) => route.to?.message(message),
    error: (error) => (route.to ? route.to.error(error) : drop()),
    exit: (code) => (route.to ? route.to.exit(code) : drop()),
  });
  link.hold(false);
  spare = { isolation, link, route };
}

/** A link to a new trainer for `placement`: the prespawned one when it fits, else a fresh one. */
export function openTrainerLink(placement: TrainerPlacement, handlers: LinkHandlers): TrainerLink {
  const taken = spare;
  if (taken && taken.isolation === placement.isolation && !placement.spawn) {
    spare = null;
    taken.route.to = handlers;
    taken.link.hold(true);
    return taken.link;
  }
  if (taken) {
    // Prespawned for another placement: it would idle with TensorFlow.js loaded for as long as the node runs.
    spare = null;
    taken.link.terminate();
  }
  return open(placement, handlers);
}
