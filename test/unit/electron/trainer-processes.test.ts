import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createTrainerProcesses } from '../../../electron/trainer-processes.js';
import type { TrainerProcessNotice } from '../../../worker/training/protocol.js';
import { electronTrainers } from '../../../worker/training/trainer-electron.js';
import { processLink } from '../../../worker/training/trainer-link.js';
import { FakeChannel, FakePort, flush } from './fakes.js';

/** A trainer utilityProcess: records its first message's ports; the test decides when it exits. */
class FakeTrainerChild extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  ports: FakePort[] = [];
  kills = 0;
  pid: number | undefined = undefined;
  postMessage(_message: null, ports: FakePort[]): void {
    this.ports = ports;
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
}

function setup(pid: number | null = 4242) {
  const children: FakeTrainerChild[] = [];
  const fork = vi.fn(() => {
    children.push(new FakeTrainerChild());
    children.at(-1)!.pid = pid ?? undefined;
    return children.at(-1)!;
  });
  const notices: Array<{ notice: TrainerProcessNotice; ports: FakePort[] }> = [];
  const log = vi.fn();
  const trainers = createTrainerProcesses<FakePort>({
    fork,
    MessageChannelMain: FakeChannel,
    trainerPath: '/app/dist/worker/training/trainer-process.js',
    reply: (notice, ports = []) => void notices.push({ notice, ports }),
    log,
    output: { stdout: new PassThrough(), stderr: new PassThrough() },
  });
  return { trainers, fork, children, notices, log };
}

describe('createTrainerProcesses (main)', () => {
  it('starts a trainer utilityProcess on request and hands each side one end of a channel', () => {
    const { trainers, fork, children, notices } = setup();
    expect(trainers.handle({ type: 'spawn-trainer', id: 1 })).toBe(true);
    expect(fork).toHaveBeenCalledWith('/app/dist/worker/training/trainer-process.js', [], { serviceName: 'AIRTIST Miner trainer', stdio: 'pipe' });
    const [{ notice, ports }] = notices as [(typeof notices)[number]];
    expect(notice).toEqual({ type: 'trainer-port', id: 1, pid: 4242 });
    expect(children[0]!.ports[0]!.peer).toBe(ports[0]); // the two ends of one channel
  });

  it('hands the port over once the process has spawned, with its pid; one that ends first gets only its exit', () => {
    const { trainers, children, notices } = setup(null);
    trainers.handle({ type: 'spawn-trainer', id: 1 });
    expect(notices).toEqual([]);
    children[0]!.pid = 77;
    children[0]!.emit('spawn');
    expect(notices.map((n) => n.notice)).toEqual([{ type: 'trainer-port', id: 1, pid: 77 }]);

    trainers.handle({ type: 'spawn-trainer', id: 2 });
    children[1]!.emit('exit', 1);
    children[1]!.emit('spawn');
    expect(notices.map((n) => n.notice).slice(1)).toEqual([{ type: 'trainer-exit', id: 2, code: 1 }]);
  });

  it('tells the worker when a trainer process ends, kills on request, and kills every trainer when the worker is gone', () => {
    const { trainers, children, notices } = setup();
    trainers.handle({ type: 'spawn-trainer', id: 1 });
    trainers.handle({ type: 'kill-trainer', id: 1 });
    expect(children[0]!.kills).toBe(1);
    children[0]!.emit('exit', 3);
    expect(notices.at(-1)!.notice).toEqual({ type: 'trainer-exit', id: 1, code: 3 });
    trainers.handle({ type: 'spawn-trainer', id: 2 });
    trainers.killAll();
    expect(children[1]!.kills).toBe(1);
    expect(children[0]!.kills).toBe(1); // an ended one is not killed again
  });

  it('ignores what is not a trainer request, and refuses more trainers than a worker ever needs', () => {
    const { trainers, fork, notices, log } = setup();
    for (const message of [null, 'spawn-trainer', { type: 'spawn-trainer' }, { type: 'spawn-trainer', id: 1.5 }, { type: 'shutdown', id: 1 }]) {
      expect(trainers.handle(message)).toBe(false);
    }
    expect(fork).not.toHaveBeenCalled();
    trainers.handle({ type: 'spawn-trainer', id: 1 });
    trainers.handle({ type: 'spawn-trainer', id: 2 });
    trainers.handle({ type: 'spawn-trainer', id: 3 });
    expect(fork).toHaveBeenCalledTimes(2);
    expect(notices.at(-1)!.notice).toEqual({ type: 'trainer-exit', id: 3, code: -1 });
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/refused/));
  });

  it('answers a trainer that cannot be started with its end, not silence', () => {
    const { trainers, notices } = setup();
    const failing = createTrainerProcesses<FakePort>({
      fork: () => {
        throw new Error('no utility process');
      },
      MessageChannelMain: FakeChannel,
      trainerPath: 'x',
      reply: (notice) => void notices.push({ notice, ports: [] }),
      log: () => {},
    });
    failing.handle({ type: 'spawn-trainer', id: 7 });
    expect(notices.at(-1)!.notice).toEqual({ type: 'trainer-exit', id: 7, code: -1 });
    expect(trainers).toBeDefined();
  });
});

describe('electronTrainers (worker) with main, end to end over fake ports', () => {
  /** Main and the worker wired as in the app: the worker's requests go to main, main's notices come back. */
  function wired(pid?: number) {
    const main = setup(pid);
    const worker = electronTrainers({ postMessage: (request) => void main.trainers.handle(request) });
    const deliver = () => {
      for (const { notice, ports } of main.notices.splice(0)) worker.notice(notice, ports);
    };
    return { ...main, worker, deliver };
  }

  it('carries the init sent before the port, the trainer messages back, and the exit code the trainer reports', async () => {
    const { worker, children, deliver } = wired();
    const seen: unknown[] = [];
    const exits: number[] = [];
    const link = processLink(worker.spawn, { message: (m) => seen.push(m), error: (e) => seen.push(e), exit: (code) => exits.push(code) });
    link.init({ model: 'tiny-gan' } as never, 5); // before main has answered: queued
    deliver();
    const trainerEnd = children[0]!.ports[0]!;
    const received: unknown[] = [];
    trainerEnd.on('message', ({ data }: { data: unknown }) => received.push(data));
    link.command(9);
    await flush();
    expect(received).toEqual([{ type: 'init', config: { model: 'tiny-gan' }, command: 5 }, { type: 'command', word: 9 }]);

    trainerEnd.postMessage({ type: 'stopped', step: 12 });
    trainerEnd.postMessage({ type: 'exit', code: 0 });
    await flush();
    trainerEnd.close(); // the trainer closes its end after its last message
    await flush();
    expect(seen).toEqual([{ type: 'stopped', step: 12 }]);
    expect(exits).toEqual([0]);
  });

  it('reads a trainer that dies without a word as failed, and one that never started as ended', async () => {
    const { worker, children, deliver } = wired();
    const exits: number[] = [];
    const link = processLink(worker.spawn, { message: () => {}, error: () => {}, exit: (code) => exits.push(code) });
    link.init({} as never, 0);
    deliver();
    children[0]!.ports[0]!.close(); // crashed: its end closes with no exit message
    await flush();
    expect(exits).toEqual([1]);

    // Main could not start one: the exit notice ends it at once.
    const ended: number[] = [];
    const lone = electronTrainers({ postMessage: () => {} });
    processLink(lone.spawn, { message: () => {}, error: () => {}, exit: (code) => ended.push(code) });
    expect(lone.notice({ type: 'trainer-exit', id: 1, code: -1 }, [])).toBe(true);
    expect(ended).toEqual([-1]);
    expect(lone.notice({ type: 'connect', client: 'main' }, [])).toBe(false);
  });

  it.runIf(process.platform === 'linux')('freezes and lets go the process whose pid main reported, and cannot before', async () => {
    // A real process stands in for the trainer: its state shows whether the signals reached it.
    const stand = spawn('sleep', ['30'], { stdio: 'ignore' });
    const state = () => {
      const stat = readFileSync(`/proc/${stand.pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    };
    const until = async (wanted: string) => {
      for (let i = 0; i < 100 && state() !== wanted; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      return state();
    };
    try {
      const { worker, deliver, notices } = wired(stand.pid);
      const link = processLink(worker.spawn, { message: () => {}, error: () => {}, exit: () => {} });
      expect(link.freeze!(), 'no pid before main has answered').toBe(false);
      expect(notices[0]!.notice).toEqual({ type: 'trainer-port', id: 1, pid: stand.pid });
      deliver();
      expect(link.freeze!()).toBe(true);
      expect(await until('T')).toBe('T');
      link.thaw!();
      expect(await until('S')).toBe('S');
    } finally {
      stand.kill('SIGKILL');
    }
  });

  it('asks main to kill the process on terminate', () => {
    const { worker, children, deliver } = wired();
    const link = processLink(worker.spawn, { message: () => {}, error: () => {}, exit: () => {} });
    deliver();
    link.terminate();
    expect(children[0]!.kills).toBe(1);
  });
});
