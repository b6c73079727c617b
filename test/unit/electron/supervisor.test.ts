import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSupervisor } from '../../../electron/supervisor.js';
import { FakeChannel, FakeChild, type FakePort } from './fakes.js';

function setup(options: { stopTimeoutMs?: number } = {}) {
  const children: FakeChild[] = [];
  const fork = vi.fn(() => {
    const child = new FakeChild();
    children.push(child);
    return child;
  });
  const logs: string[] = [];
  const supervisor = createSupervisor<FakePort>({
    fork,
    MessageChannelMain: FakeChannel,
    workerPath: '/app/dist/worker/electron-entry.js',
    dataDir: '/home/ada/.config/AIRTIST Miner',
    log: (line) => logs.push(line),
    output: { stdout: new PassThrough(), stderr: new PassThrough() },
    ...options,
  });
  const last = () => children.at(-1)!;
  return { supervisor, fork, children, last, logs };
}

describe('supervisor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('forks the worker entry with the data folder', () => {
    const { supervisor, fork } = setup();
    supervisor.start();
    supervisor.start(); // idempotent
    expect(fork).toHaveBeenCalledTimes(1);
    expect(fork).toHaveBeenCalledWith(
      '/app/dist/worker/electron-entry.js',
      ['--data-dir', '/home/ada/.config/AIRTIST Miner'],
      { serviceName: 'AIRTIST Miner worker', stdio: 'pipe' },
    );
  });

  it('hands out ports only once the worker has spawned, sending the other end to the worker', () => {
    const { supervisor, last } = setup();
    const started = vi.fn();
    supervisor.onStart(started);
    supervisor.start();
    expect(supervisor.connect('main')).toBeNull();

    last().spawn();
    expect(started).toHaveBeenCalledTimes(1);
    const port = supervisor.connect('renderer');
    expect(port).not.toBeNull();
    const [sent] = last().messages;
    expect(sent?.message).toEqual({ type: 'connect', client: 'renderer' });
    expect(sent?.ports).toHaveLength(1);
    expect(sent?.ports[0]?.peer).toBe(port); // the two ends of one channel
  });

  it('restarts a crashed worker with exponential backoff, capped, and reset after a stable run', () => {
    const { supervisor, fork, last } = setup();
    const exits: (number | null)[] = [];
    supervisor.onExit((_code, restartInMs) => exits.push(restartInMs));
    supervisor.start();

    const crashAndWait = (delay: number) => {
      last().spawn();
      last().exit(1);
      const before = fork.mock.calls.length;
      vi.advanceTimersByTime(delay - 1);
      expect(fork).toHaveBeenCalledTimes(before);
      vi.advanceTimersByTime(1);
      expect(fork).toHaveBeenCalledTimes(before + 1);
    };
    for (const delay of [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]) crashAndWait(delay);
    expect(exits).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    expect(supervisor.connect('main')).toBeNull(); // the new one has not spawned yet

    // A worker that ran for a minute before dying starts the backoff over.
    last().spawn();
    vi.advanceTimersByTime(60_000);
    last().exit(1);
    expect(exits.at(-1)).toBe(1_000);
  });

  it('signals every (re)start so clients reconnect', () => {
    const { supervisor, last } = setup();
    const started = vi.fn();
    supervisor.onStart(started);
    supervisor.start();
    last().spawn();
    last().exit(3);
    vi.advanceTimersByTime(1_000);
    last().spawn();
    expect(started).toHaveBeenCalledTimes(2);
    expect(supervisor.connect('main')).not.toBeNull();
  });

  it('restarts when fork itself throws', () => {
    const { supervisor, fork, logs } = setup();
    fork.mockImplementationOnce(() => {
      throw new Error('no such file');
    });
    supervisor.start();
    expect(logs.join('\n')).toContain('no such file');
    vi.advanceTimersByTime(1_000);
    expect(fork).toHaveBeenCalledTimes(2);
  });

  it('stops gracefully: asks the worker to shut down and does not restart it', async () => {
    const { supervisor, fork, last } = setup();
    const exits: (number | null)[] = [];
    supervisor.onExit((_code, restartInMs) => exits.push(restartInMs));
    supervisor.start();
    last().spawn();

    const stopped = vi.fn();
    const stopping = supervisor.stop().then(stopped);
    expect(supervisor.stop()).toBe(supervisor.stop()); // one stop, however often asked
    expect(last().messages.map((m) => m.message)).toEqual([{ type: 'shutdown' }]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(stopped).not.toHaveBeenCalled();

    last().exit(0);
    await stopping;
    expect(stopped).toHaveBeenCalled();
    expect(last().kills).toBe(0);
    expect(exits).toEqual([null]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(fork).toHaveBeenCalledTimes(1);
    expect(supervisor.connect('main')).toBeNull();
  });

  it('kills a worker that does not stop within the timeout', async () => {
    const { supervisor, last, logs } = setup({ stopTimeoutMs: 10_000 });
    supervisor.start();
    last().spawn();
    const stopping = supervisor.stop();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(last().kills).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(last().kills).toBe(1);
    expect(logs.join('\n')).toContain('killing');
    last().exit(-15);
    await expect(stopping).resolves.toBeUndefined();
  });

  it('does not hang quitting when even a killed worker never reports its exit', async () => {
    const { supervisor, last } = setup({ stopTimeoutMs: 10_000 });
    supervisor.start();
    last().spawn();
    const stopped = vi.fn();
    void supervisor.stop().then(stopped);
    await vi.advanceTimersByTimeAsync(12_000);
    expect(stopped).toHaveBeenCalled();
  });

  it('restarts on request: the worker stops gracefully, a new one starts at once, and clients hear of it', async () => {
    const { supervisor, fork, children, last } = setup();
    const exits: (number | null)[] = [];
    let starts = 0;
    supervisor.onExit((_code, restartInMs) => exits.push(restartInMs));
    supervisor.onStart(() => starts++);
    supervisor.start();
    last().spawn();

    const restarted = supervisor.restart();
    await expect(supervisor.restart()).resolves.toBe(false); // one restart at a time
    expect(children[0]!.messages.map((m) => m.message)).toEqual([{ type: 'shutdown' }]);
    expect(fork).toHaveBeenCalledTimes(1); // not before the old one has closed its ledger
    children[0]!.exit(0);
    await expect(restarted).resolves.toBe(true);
    expect(fork).toHaveBeenCalledTimes(2);
    expect(exits).toEqual([null]); // an asked-for exit is no crash: nothing to announce, no backoff
    last().spawn();
    expect(starts).toBe(2);
    // The new worker is supervised like the first: a crash restarts it.
    last().exit(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fork).toHaveBeenCalledTimes(3);
  });

  it('a stop asked for during a restart wins: no new worker starts', async () => {
    const { supervisor, fork, last } = setup();
    supervisor.start();
    last().spawn();
    const restarted = supervisor.restart();
    const stopped = supervisor.stop();
    last().exit(0);
    await expect(restarted).resolves.toBe(false);
    await stopped;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fork).toHaveBeenCalledTimes(1);
    await expect(supervisor.restart()).resolves.toBe(false);
  });

  it('stop during a restart delay cancels the restart', async () => {
    const { supervisor, fork, last } = setup();
    supervisor.start();
    last().spawn();
    last().exit(1);
    await supervisor.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fork).toHaveBeenCalledTimes(1);
  });

  it('passes the worker output through', async () => {
    const stdout = new PassThrough();
    const children: FakeChild[] = [];
    const supervisor = createSupervisor<FakePort>({
      fork: () => {
        children.push(new FakeChild());
        return children.at(-1)!;
      },
      MessageChannelMain: FakeChannel,
      workerPath: 'w.js',
      dataDir: 'd',
      output: { stdout, stderr: new PassThrough() },
    });
    supervisor.start();
    children[0]!.stdout.write('hello from the worker\n');
    expect(String(stdout.read())).toBe('hello from the worker\n');
  });
});
