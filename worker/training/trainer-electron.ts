/**
 * The `process` placement inside the desktop app (worker side): Electron's main starts each trainer as a
 * utilityProcess (electron/trainer-processes.ts) and hands the worker a MessagePort to it, since only main may
 * start processes there. The node sees the same TrainerChannel as a forked child's.
 */
import type { FromTrainerProcess, ToTrainerProcess, TrainerProcessNotice, TrainerProcessRequest } from './protocol.js';
import type { TrainerSpawner } from './trainer-link.js';

/** The slice of Electron's MessagePortMain used here (typed here: the worker builds without Electron). */
export interface TrainerPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/** The worker's way to main: `process.parentPort`, whose messages the entry passes on to `notice`. */
export interface MainLink {
  postMessage(message: TrainerProcessRequest): void;
}

export interface ElectronTrainers {
  spawn: TrainerSpawner;
  /** Main's notices about trainer processes; false when `data` is not one (the entry handles it). */
  notice(data: unknown, ports: readonly TrainerPort[]): boolean;
}

type Handlers = Parameters<TrainerSpawner>[0];

const isNotice = (data: unknown): data is TrainerProcessNotice =>
  typeof data === 'object' &&
  data !== null &&
  ((data as { type?: unknown }).type === 'trainer-port' || (data as { type?: unknown }).type === 'trainer-exit') &&
  Number.isSafeInteger((data as { id?: unknown }).id);

/** Sends `signal` to the trainer process; false if it is gone (or was never ours to signal). */
function signalProcess(pid: number, signal: 'SIGSTOP' | 'SIGCONT'): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function electronTrainers(main: MainLink): ElectronTrainers {
  let nextId = 1;
  /** Trainers asked for and not yet ended: their handlers, and their port once main has sent it. */
  const live = new Map<number, { handlers: Handlers; port: TrainerPort | null; pid: number | null; queued: ToTrainerProcess[] }>();

  const end = (id: number, code: number) => {
    const trainer = live.get(id);
    if (!trainer) return;
    live.delete(id);
    trainer.port?.close();
    trainer.handlers.exit(code);
  };

  return {
    spawn(handlers) {
      const id = nextId++;
      const trainer = { handlers, port: null as TrainerPort | null, pid: null as number | null, queued: [] as ToTrainerProcess[] };
      live.set(id, trainer);
      main.postMessage({ type: 'spawn-trainer', id });
      return {
        // Messages sent before the port arrives (the init) wait for it, in order.
        send(message) {
          if (trainer.port) trainer.port.postMessage(message);
          else if (live.has(id)) trainer.queued.push(message);
        },
        kill: () => main.postMessage({ type: 'kill-trainer', id }),
        ...(process.platform === 'win32' ? {} : { signal: (signal: 'SIGSTOP' | 'SIGCONT') => trainer.pid !== null && live.has(id) && signalProcess(trainer.pid, signal) }),
      };
    },

    notice(data, ports) {
      if (!isNotice(data)) return false;
      const trainer = live.get(data.id);
      if (!trainer) return true; // a trainer already ended: nothing to do
      if (data.type === 'trainer-exit') {
        // A process that never sent its port (it failed to start) ends here; otherwise its port's close does.
        if (!trainer.port) end(data.id, data.code);
        else setTimeout(() => end(data.id, data.code), 1_000); // its last messages may still be on the way
        return true;
      }
      const port = ports[0];
      if (!port || trainer.port) return true;
      trainer.port = port;
      if (Number.isSafeInteger(data.pid) && data.pid! > 0) trainer.pid = data.pid!;
      port.on('message', ({ data: message }) => trainer.handlers.message(message as FromTrainerProcess));
      // The trainer closes its end after its last message (or dies): that is its end, as a child's 'close'.
      port.on('close', () => end(data.id, 1));
      port.start();
      for (const message of trainer.queued.splice(0)) port.postMessage(message);
      return true;
    },
  };
}
