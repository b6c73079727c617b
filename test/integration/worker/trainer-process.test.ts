/**
 * The trainer in a child process of its own (the `process` placement, the default: a priority belongs to a
 * whole process on Windows and macOS, and only a process can be frozen mid-step): the node drives it exactly as it drives the thread (pause, resume,
 * weights, stop with a checkpoint), the child runs every thread at the lowest priority while the node keeps
 * its own, and a child whose node dies stops by itself instead of training for nobody.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { quietEvents, testTrainerConfig } from '../../helpers/trainer.js';

const dist = (path: string) => new URL(`../../../dist/worker/training/${path}`, import.meta.url);
const { TrainerHost, TrainerStartError, FREEZE_MS } = (await import(dist('trainer-host.js').href)) as typeof import('../../../worker/training/trainer-host.js');
const PROCESS = { isolation: 'process' } as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pids of this process's children that run the trainer's entry. */
function trainerChildren(parent = process.pid): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === parent && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('trainer-process.js');
      } catch {
        return false; // it ended while we looked
      }
    })
    .map(Number);
}

/** The nice value of each thread of `pid` (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return [];
    }
  });
}

/** The state letter of `pid` (R running, S sleeping, T stopped...) and its CPU time in clock ticks. */
function procState(pid: number): { state: string; ticks: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0]!, ticks: Number(fields[11]) + Number(fields[12]) };
}

/** `pid`'s state once it is `wanted`, or as it is after `ms`. */
async function stateWithin(pid: number, wanted: string, ms: number): Promise<string> {
  const started = performance.now();
  while (procState(pid).state !== wanted && performance.now() - started < ms) await sleep(1);
  return procState(pid).state;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * A node in a process of its own (the script `path`): it starts a trainer process on `checkpoint`, runs
 * `then` (script text with `host` and the count of `steps` in scope), and says so on stdout. Resolves with the
 * node then; rejects if it exits first.
 */
async function nodeWithTrainer(path: string, checkpoint: string, then: string): Promise<ChildProcess> {
  writeFileSync(
    path,
    `const { TrainerHost } = await import(${JSON.stringify(dist('trainer-host.js').href)});
    let steps = 0;
    const events = { progress() { steps++; }, samples() {}, unit() {}, paused() {}, resumed() {}, held() {}, disk() {}, warning() {}, failed() {} };
    const { host } = await TrainerHost.start(${JSON.stringify(testTrainerConfig(checkpoint))}, events, false, { isolation: 'process' });
    ${then}
    process.stdout.write('ready\\n');`,
  );
  const node = spawn(process.execPath, [path], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    node.stdout.once('data', () => resolve());
    node.once('exit', (code) => reject(new Error(`the node exited first (${code})`)));
  });
  return node;
}

const stepsAtLeast = (n: number) => `while (steps < ${n}) await new Promise((resolve) => setTimeout(resolve, 20));`;

describe.runIf(process.platform === 'linux')('the trainer in a child process', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-trainer-process-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains, pauses, resumes, serves its weights and stops with a checkpoint it restarts from', async () => {
    const checkpoint = join(dir, 'run.ckpt');
    let progress = 0;
    const failures: string[] = [];
    const events = quietEvents({ progress: () => void progress++, failed: (message) => void failures.push(message) });
    const { host, ready } = await TrainerHost.start(testTrainerConfig(checkpoint, { microBatch: 4 }), events, false, PROCESS);
    expect(host.isolation).toBe('process');
    expect(ready.step).toBe(0);
    try {
      while (progress < 3) await sleep(20);
      await host.pause();
      const atPause = progress;
      await sleep(600);
      expect(progress, 'no step while paused').toBe(atPause);
      await host.resume();
      while (progress < atPause + 2) await sleep(20);

      const read = await host.readWeights();
      expect(read.values).toBeInstanceOf(Float32Array);
      expect(read.values.length).toBe(read.manifest.size);
      expect(read.values.length).toBeGreaterThan(1000);
      // The weights cross the process boundary bit for bit: what is written is what is read back.
      await host.pause();
      const written = Float32Array.from(read.values, (_, i) => Math.sin(i) * 0.01);
      await host.writeWeights(written.slice());
      expect(sameValues((await host.readWeights()).values, written)).toBe(true);
    } finally {
      await host.stop();
    }
    expect(failures).toEqual([]);
    expect(trainerChildren(), 'the child ended with its trainer').toEqual([]);

    const again = await TrainerHost.start(testTrainerConfig(checkpoint), quietEvents(), true, PROCESS);
    try {
      expect(again.ready.step, 'restarted from the checkpoint').toBeGreaterThan(0);
    } finally {
      await again.host.stop();
    }
  });

  it('a pause freezes the child at once, mid-step; let go, it ends that step and waits, and resumes on from it', async () => {
    const steps: number[] = [];
    const events = quietEvents({ progress: (point) => void steps.push(point.step) });
    const { host } = await TrainerHost.start(testTrainerConfig(join(dir, 'freeze.ckpt'), { batchSize: 64 }), events, false, PROCESS);
    try {
      const [child] = trainerChildren();
      while (steps.length < 2) await sleep(20);
      await host.pause();
      // The signal is sent when the pause resolves; the kernel stops a process running on another core a moment later.
      expect(await stateWithin(child!, 'T', 100), 'stopped within 100 ms of the pause').toBe('T');
      const frozen = procState(child!);
      await sleep(Math.min(400, FREEZE_MS / 2));
      expect(procState(child!), 'no compute while frozen').toEqual(frozen);
      // Let go, it ends the step it was stopped in (at the lowest priority) and then waits, paused.
      await sleep(FREEZE_MS + 1500);
      expect(procState(child!).state).toBe('S');
      const atPause = steps.length;
      await sleep(500);
      expect(steps.length, 'no step while paused').toBe(atPause);
      await host.resume();
      while (steps.length < atPause + 2) await sleep(20);
      // The steps go on from where they were: none trained twice.
      expect(steps.every((step, i) => i === 0 || step > steps[i - 1]!)).toBe(true);

      // A request lets a frozen trainer go at once: it answers without waiting for FREEZE_MS.
      await host.pause();
      const reading = performance.now();
      await host.readWeights();
      expect(performance.now() - reading).toBeLessThan(FREEZE_MS);
    } finally {
      await host.stop();
    }
  });

  it('a trainer frozen by a pause whose node is killed is let go (parent-death signal), checkpoints and ends', async () => {
    const checkpoint = join(dir, 'frozen.ckpt');
    const node = await nodeWithTrainer(join(dir, 'frozen-node.mjs'), checkpoint, `${stepsAtLeast(2)} await host.pause();`);
    let child: number | undefined;
    try {
      [child] = trainerChildren(node.pid);
      expect(await stateWithin(child!, 'T', 100)).toBe('T');
      node.kill('SIGKILL'); // before the node's own timer lets it go
      for (let i = 0; i < 200 && alive(child!); i++) await sleep(100);
      expect(alive(child!), 'the frozen trainer was let go and ended').toBe(false);
      // Let go, it saw its node gone and checkpointed the steps it had trained: the next one starts from them.
      const { host, ready } = await TrainerHost.start(testTrainerConfig(checkpoint), quietEvents(), true, PROCESS);
      await host.stop();
      expect(ready.step).toBeGreaterThan(0);
    } finally {
      node.kill('SIGKILL');
      if (child && alive(child)) process.kill(child, 'SIGKILL');
    }
  });

  it('a trainer still stopped from an earlier node is let go, or killed, before the next one loads the checkpoint', async () => {
    // Where no parent-death signal exists (or a trainer was stopped by hand): a stopped trainer of the checkpoint
    // that does not end when let go. A stand-in with the trainer's entry on its command line.
    const checkpoint = join(dir, 'stuck.ckpt');
    const stuck = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'trainer-process.js'], { stdio: 'ignore' });
    try {
      const ended = new Promise<string | null>((resolve) => stuck.once('exit', (_code, signal) => resolve(signal)));
      stuck.kill('SIGSTOP');
      writeFileSync(`${checkpoint}.trainer-pid`, `${stuck.pid}\n`);
      const { host } = await TrainerHost.start(testTrainerConfig(checkpoint), quietEvents(), true, PROCESS);
      const [child] = trainerChildren();
      const recorded = Number(readFileSync(`${checkpoint}.trainer-pid`, 'utf8'));
      await host.stop();
      expect(await ended, 'let go, it did not end: killed').toBe('SIGKILL');
      expect(recorded, 'the new trainer holds the checkpoint now').toBe(child);
      expect(existsSync(`${checkpoint}.trainer-pid`), 'and gives it up when it ends').toBe(false);
    } finally {
      stuck.kill('SIGKILL');
    }
  });

  it('runs every thread of the child at the lowest priority, and none of the node', async () => {
    const before = threadNices(process.pid);
    const { host } = await TrainerHost.start(testTrainerConfig(join(dir, 'nice.ckpt')), quietEvents(), false, PROCESS);
    try {
      const [child] = trainerChildren();
      expect(child, 'a trainer child process').toBeDefined();
      const nices = threadNices(child!);
      expect(nices.length).toBeGreaterThan(1); // the relay and the trainer thread at least
      expect(new Set(nices)).toEqual(new Set([19]));
      // The node's own threads (the API, the peers) keep their priority.
      expect(threadNices(process.pid).filter((nice) => nice === 19).length).toBe(before.filter((nice) => nice === 19).length);
    } finally {
      await host.stop();
    }
  });

  it('reports a trainer that cannot start with the same reason as a thread would, and leaves no process behind', async () => {
    const config = testTrainerConfig(join(dir, 'bad.ckpt'), { model: 'no-such-model' as never });
    const reason = (placement: { isolation: 'thread' | 'process' }) =>
      TrainerHost.start(config, quietEvents(), false, placement).then(
        () => 'started',
        (error: Error) => `${error instanceof TrainerStartError}: ${error.message.split('\n')[0]}`,
      );
    const inThread = await reason({ isolation: 'thread' });
    expect(inThread).toMatch(/^true: ./);
    expect(await reason(PROCESS)).toBe(inThread);
    for (let i = 0; i < 50 && trainerChildren().length > 0; i++) await sleep(100);
    expect(trainerChildren()).toEqual([]);
  });

  it('stops by itself, after a checkpoint, when its node is killed', async () => {
    // A node in a process of its own, killed with SIGKILL while its trainer child trains.
    const checkpoint = join(dir, 'orphan.ckpt');
    const node = await nodeWithTrainer(join(dir, 'node.mjs'), checkpoint, stepsAtLeast(1));
    try {
      const [child] = trainerChildren(node.pid);
      expect(child).toBeDefined();
      node.kill('SIGKILL');
      for (let i = 0; i < 200 && alive(child!); i++) await sleep(100);
      expect(alive(child!), 'the orphaned trainer ended').toBe(false);
    } finally {
      node.kill('SIGKILL');
    }
    // It finished its step and wrote its checkpoint on the way out: the work it did is kept.
    const { host, ready } = await TrainerHost.start(testTrainerConfig(checkpoint), quietEvents(), true, PROCESS);
    await host.stop();
    expect(ready.step).toBeGreaterThan(0);
  });

  it('prespawned and never taken, does not hold a short command open', () => {
    const script = join(dir, 'prespawn.mjs');
    const link = fileURLToPath(dist('trainer-link.js'));
    writeFileSync(script, `const { prespawnTrainer } = await import(${JSON.stringify(link)}); prespawnTrainer('process'); setTimeout(() => process.stdout.write('idle'), 300);`);
    expect(execFileSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 })).toBe('idle');
  });
});

function sameValues(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}
