/**
 * The desktop app's trainer processes (main side). The worker trains in a process of its
 * own at the lowest priority (worker/training/trainer-link.ts), and inside Electron only main may start one: the
 * worker asks, main forks trainer-process.js as a utilityProcess, gives it one end of a MessageChannel and the
 * worker the other, and tells the worker when the process has ended. `fork` and the channel are passed in.
 */
import type { TrainerProcessNotice, TrainerProcessRequest } from '../worker/training/protocol.js';

/** The parts of Electron's UtilityProcess used here. */
export interface TrainerChild<Port> {
  postMessage(message: null, transfer: Port[]): void;
  kill(): boolean;
  /** Undefined until the process has started (its 'spawn'), and after it has ended. */
  readonly pid?: number | undefined;
  on(event: 'exit', listener: (code: number) => void): unknown;
  once(event: 'spawn', listener: () => void): unknown;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
}

export interface TrainerProcessesOptions<Port> {
  fork(modulePath: string, args: string[], options: { serviceName: string; stdio: 'pipe' }): TrainerChild<Port>;
  MessageChannelMain: new () => { port1: Port; port2: Port };
  trainerPath: string;
  /** A notice for the worker that asked, with the trainer's port when there is one. */
  reply(notice: TrainerProcessNotice, transfer?: Port[]): void;
  log?: (line: string) => void;
  output?: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };
}

export interface TrainerProcesses {
  /** A message from the worker: false when it is not a trainer request. */
  handle(message: unknown): boolean;
  /** The worker is gone: its trainers have nobody to train for (each also stops by itself when its port closes). */
  killAll(): void;
}

/** A worker asks for one trainer at a time; more alive than this is a bug, and is refused rather than obeyed. */
const MAX_TRAINERS = 2;

const isRequest = (message: unknown): message is TrainerProcessRequest =>
  typeof message === 'object' &&
  message !== null &&
  ((message as { type?: unknown }).type === 'spawn-trainer' || (message as { type?: unknown }).type === 'kill-trainer') &&
  Number.isSafeInteger((message as { id?: unknown }).id);

export function createTrainerProcesses<Port>(options: TrainerProcessesOptions<Port>): TrainerProcesses {
  const log = options.log ?? ((line: string) => console.log(line));
  const output = options.output ?? { stdout: process.stdout, stderr: process.stderr };
  const children = new Map<number, TrainerChild<Port>>();

  function spawn(id: number): void {
    if (children.has(id) || children.size >= MAX_TRAINERS) {
      log(`refused a trainer process (${children.size} running)`);
      return options.reply({ type: 'trainer-exit', id, code: -1 });
    }
    let child: TrainerChild<Port>;
    try {
      child = options.fork(options.trainerPath, [], { serviceName: 'AIRTIST Miner trainer', stdio: 'pipe' });
    } catch (error) {
      log(`could not start a trainer process: ${(error as Error).message}`);
      return options.reply({ type: 'trainer-exit', id, code: -1 });
    }
    children.set(id, child);
    child.stdout?.pipe(output.stdout, { end: false });
    child.stderr?.pipe(output.stderr, { end: false });
    child.on('exit', (code) => {
      children.delete(id);
      if (code !== 0) log(`trainer process ${id} exited with code ${code}`);
      options.reply({ type: 'trainer-exit', id, code });
    });
    const { port1, port2 } = new options.MessageChannelMain();
    child.postMessage(null, [port1]); // the trainer's first message: its way to the worker
    // The worker gets its end with the process id (to freeze the trainer during a pause), known once it has spawned.
    const handOver = () => {
      if (children.get(id) !== child) return; // it ended first: the exit notice said so
      options.reply({ type: 'trainer-port', id, ...(child.pid !== undefined ? { pid: child.pid } : {}) }, [port2]);
    };
    if (child.pid !== undefined) handOver();
    else child.once('spawn', handOver);
  }

  return {
    handle(message) {
      if (!isRequest(message)) return false;
      if (message.type === 'spawn-trainer') spawn(message.id);
      else children.get(message.id)?.kill();
      return true;
    },
    killAll() {
      for (const child of children.values()) child.kill();
    },
  };
}
