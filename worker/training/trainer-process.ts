/**
 * Entry point of a trainer child process (a `process` placement, see trainer-link.ts): lowers this whole
 * process to the lowest OS priority, runs the trainer thread inside it, and relays the node's messages to it.
 * Pause, resume and stop arrive as messages and become words in this process's shared control buffer, so the
 * thread reacts within a micro-step, as it does in the node's own process.
 *
 * Started by the node with child_process.fork (IPC on `process.send`), or in the desktop app by Electron's main
 * as a utilityProcess that receives a MessagePort to the node as its first message.
 */
import { readdirSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import type { FromTrainerProcess, ToTrainerProcess } from './protocol.js';
import { spawnTrainerThread, threadLink } from './trainer-link.js';
import { claim, pidPathOf, releaseLeftover, unclaim } from './trainer-pid.js';

/** The way back to the node. */
interface Parent {
  send(message: FromTrainerProcess, sent?: () => void): void;
  onMessage(listener: (message: ToTrainerProcess) => void): void;
  /** The node is gone (it exited, crashed or was killed). */
  onGone(listener: () => void): void;
  /** Closes the way back once the last message is out, so this process can end. */
  end(): void;
}

/** The slice of Electron's MessagePortMain and `process.parentPort` used here. */
interface ElectronPort {
  on(event: 'message', listener: (event: { data: unknown; ports: ElectronPort[] }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  once(event: 'message', listener: (event: { data: unknown; ports: ElectronPort[] }) => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

function forkedParent(): Parent | null {
  const send = process.send?.bind(process);
  if (!send) return null;
  return {
    send(message, sent) {
      if (process.connected) send(message, undefined, undefined, () => sent?.());
      else sent?.();
    },
    onMessage: (listener) => void process.on('message', (message) => listener(message as ToTrainerProcess)),
    onGone: (listener) => void process.on('disconnect', listener),
    end: () => process.connected && process.disconnect(),
  };
}

function electronParent(): Promise<Parent> | null {
  const parentPort = (process as unknown as { parentPort?: ElectronPort }).parentPort;
  if (!parentPort) return null;
  return new Promise((resolve) => {
    parentPort.once('message', ({ ports: [port] }) => {
      if (!port) return process.exit(2); // Electron's main always sends the port first
      port.start();
      resolve({
        send(message, sent) {
          port.postMessage(message);
          sent?.();
        },
        onMessage: (listener) => void port.on('message', ({ data }) => listener(data as ToTrainerProcess)),
        onGone: (listener) => void port.on('close', listener),
        end() {
          port.close();
          // A utility process lives on while its parent port is open: end it once the port has flushed.
          setTimeout(() => process.exit(), 500);
        },
      });
    });
  });
}

/**
 * The whole process to the lowest priority before it starts the thread (loading too: at normal priority, many
 * peers starting on one machine starve each other's event loops): on Windows the idle priority class, on macOS
 * nice 19. Linux keeps a nice value per thread, so there each thread Node has started so far (V8's, libuv's) is
 * lowered one by one; threads started from here on inherit the value.
 */
function lowerPriority(): void {
  const lowest = constants.priority.PRIORITY_LOW;
  try {
    if (process.platform !== 'linux') return setPriority(lowest);
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), lowest);
  } catch {
    // a sandbox may refuse it: training then runs at normal priority
  }
}

lowerPriority();

const parent = forkedParent() ?? (await electronParent());
if (!parent) throw new Error('trainer-process must be started by the node (child_process.fork) or by Electron');

let started = false;
/** This process's record as its checkpoint's trainer (see trainer-pid.ts), once it has one. */
let pidPath: string | null = null;
const link = threadLink(spawnTrainerThread(), {
  message: (message) => parent.send(message),
  error: (error) => parent.send({ type: 'error', message: error.message, ...(error.stack ? { stack: error.stack } : {}) }),
  exit(code) {
    if (pidPath) unclaim(pidPath);
    process.exitCode = code;
    parent.send({ type: 'exit', code }, () => parent.end());
  },
});

/** Messages are handled in order; the init waits for a trainer left frozen by a killed node to be let go. */
let handled: Promise<void> = Promise.resolve();
parent.onMessage((message) => {
  handled = handled.then(async () => {
    switch (message.type) {
      case 'init': {
        started = true;
        pidPath = pidPathOf(message.config.checkpointPath);
        await releaseLeftover(pidPath);
        claim(pidPath);
        return link.init(message.config, message.command);
      }
      case 'command':
        return link.command(message.word);
      case 'stop':
        return link.stop();
      default:
        return link.post(message);
    }
  });
});

// With the node gone nobody is left to train for: finish the step and checkpoint (work is kept), then end.
parent.onGone(() => {
  if (!started) return link.terminate();
  link.stop();
  setTimeout(() => link.terminate(), 30_000).unref();
});
