/**
 * The training loop in-process (the thread entry only wires it to a port): pause between micro-steps,
 * checkpoints that hold whole steps and precede their work unit, resume from a checkpoint, clean stop, and
 * the batches a round's assignment draws.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { canMountTmpfs, mountTmpfs } from '../../../helpers/tmpfs.js';
import { readCheckpoint } from '../../../../worker/training/checkpoint.js';
import { CONTROL, encodeCommand, type FromTrainer, type TrainerConfig } from '../../../../worker/training/protocol.js';
import { testTrainerConfig } from '../../../helpers/trainer.js';
import type { Task } from '../../../../worker/training/task.js';
import { createTask } from '../../../../worker/training/tasks/index.js';
import { Trainer } from '../../../../worker/training/trainer.js';

const dir = mkdtempSync(join(tmpdir(), 'airtist-trainer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = testTrainerConfig(join(dir, 'run.ckpt'));

function start(overrides: Partial<TrainerConfig> = {}, makeTask?: (config: TrainerConfig) => Task) {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL.SLOTS * 4));
  const messages: FromTrainer[] = [];
  const waiters: Array<() => void> = [];
  const post = (message: FromTrainer) => {
    messages.push(message);
    waiters.splice(0).forEach((wake) => wake());
  };
  const trainer = new Trainer({ ...config, ...overrides }, control, post, makeTask);
  const until = async <T extends FromTrainer['type']>(type: T, after = 0): Promise<Extract<FromTrainer, { type: T }>> => {
    for (;;) {
      const found = messages.slice(after).find((m) => m.type === type);
      if (found) return found as Extract<FromTrainer, { type: T }>;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const untilHeld = async (step: number): Promise<void> => {
    while (!messages.some((m) => m.type === 'held' && m.step === step)) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  let seq = 0;
  /** A pause or resume command, as TrainerHost writes it; `nextSeq` numbers one written elsewhere. */
  const nextSeq = () => ++seq;
  const command = (paused: boolean) => {
    Atomics.store(control, CONTROL.COMMAND, encodeCommand({ seq: nextSeq(), paused }));
    Atomics.notify(control, CONTROL.COMMAND);
    return seq;
  };
  const stop = () => {
    Atomics.store(control, CONTROL.STOP, 1);
    Atomics.notify(control, CONTROL.COMMAND);
  };
  return { trainer, control, messages, until, untilHeld, command, nextSeq, stop };
}

/** Trains a fresh run at `checkpointPath` briefly and stops: a checkpoint of whole steps for a test of its own. */
async function checkpointAt(checkpointPath: string): Promise<void> {
  const { trainer, until, stop } = start({ checkpointPath });
  await trainer.init();
  const running = trainer.run();
  await until('progress');
  stop();
  await running;
}

describe('Trainer', { timeout: 60_000 }, () => {
  it('pauses with a durable checkpoint of whole steps, acknowledges each command by number, resumes and stops cleanly', async () => {
    const { trainer, messages, until, command, stop } = start();
    await trainer.init();
    expect(messages[0]).toMatchObject({ type: 'ready', backend: 'wasm', step: 0, restoredUnit: null });
    expect(messages[1]).toMatchObject({ type: 'samples', frame: { step: 0 } }); // a painting before any step
    const running = trainer.run();
    await until('progress');

    const pauseSeq = command(true);
    const paused = await until('paused');
    expect(paused.seq).toBe(pauseSeq);
    const unit = await until('unit');
    // The unit closed by the pause covers every step so far, and the checkpoint on disk already holds it.
    expect(unit.unit).toMatchObject({ runId: 'test-run', shard: 1, stepStart: 0, stepEnd: paused.step, samples: paused.step * 16 });
    const checkpoint = await readCheckpoint(config.checkpointPath);
    expect(checkpoint?.meta).toMatchObject({ step: paused.step, lastUnit: unit.unit });
    const count = messages.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(messages.slice(count).filter((m) => m.type === 'progress' || m.type === 'unit')).toEqual([]);

    const resumeSeq = command(false);
    expect((await until('resumed', messages.indexOf(paused))).seq).toBe(resumeSeq);
    const progress = messages.length;
    await until('progress', progress);
    stop();
    await running;
    const stopped = await until('stopped');
    expect(stopped.step).toBeGreaterThan(paused.step);
    expect((await readCheckpoint(config.checkpointPath))?.meta).toMatchObject({ step: stopped.step });
  });

  it('resumes from its checkpoint and reports the unit it holds, for the ledger to replay', async () => {
    const checkpointPath = join(dir, 'resume.ckpt');
    await checkpointAt(checkpointPath);
    const { trainer, messages } = start({ checkpointPath });
    await trainer.init();
    const checkpoint = await readCheckpoint(checkpointPath);
    const ready = messages[0] as Extract<FromTrainer, { type: 'ready' }>;
    expect(ready.step).toBe(checkpoint!.meta.step);
    expect(ready.restoredUnit).toEqual(checkpoint!.meta.lastUnit);
    expect(ready.restoredUnit!.stepEnd).toBe(ready.step);
  });

  it('sets a damaged checkpoint aside and starts afresh instead of refusing to mine', async () => {
    const checkpointPath = join(dir, 'damaged.ckpt');
    await checkpointAt(checkpointPath);
    const damaged = Buffer.from(readFileSync(checkpointPath));
    damaged[damaged.length - 1]! ^= 0xff;
    writeFileSync(checkpointPath, damaged);
    const { trainer, messages } = start({ checkpointPath, firstStep: 42 });
    await trainer.init();
    const warning = messages.find((m) => m.type === 'warning');
    expect(warning).toMatchObject({ type: 'warning', message: expect.stringContaining('started this run afresh') });
    // Fresh weights, but steps number on from the ledger's last unit so new units never collide with old ones.
    expect(messages.find((m) => m.type === 'ready')).toMatchObject({ step: 42, restoredUnit: null });
    expect(existsSync(checkpointPath)).toBe(false);
    const aside = readdirSync(dir).filter((name) => name.startsWith('damaged.ckpt.unusable-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!)).equals(damaged)).toBe(true); // kept for inspection, byte for byte
  });

  it("starts a fresh run from the run's seed: every peer paints the same first picture", async () => {
    const firstPainting = async (seed: string, name: string) => {
      const { trainer, messages } = start({ seed, checkpointPath: join(dir, `${name}.ckpt`) });
      await trainer.init();
      return (messages.find((m) => m.type === 'samples') as Extract<FromTrainer, { type: 'samples' }>).frame.pngBase64;
    };
    const a = await firstPainting('run-seed', 'peer-a');
    expect(await firstPainting('run-seed', 'peer-b')).toBe(a);
    expect(await firstPainting('another-seed', 'peer-c')).not.toBe(a);
  });

  it('trains with the micro-batch it is given, and reports it', async () => {
    const { trainer, until, stop } = start({ microBatch: 4 });
    await trainer.init();
    const running = trainer.run();
    const point = (await until('progress')).point;
    expect(point.microBatch).toBe(4);
    stop();
    await running;
  });

  it('pauses in the middle of a step, not only between whole steps', async () => {
    // 32 micro-steps a step; the command is written from another thread while the trainer computes.
    const { trainer, control, messages, until, command, nextSeq, stop } = start({ microBatch: 1, checkpointPath: join(dir, 'mid.ckpt') });
    await trainer.init();
    const running = trainer.run();
    const acks: Array<Extract<FromTrainer, { type: 'paused' }>> = [];
    for (let i = 0; i < 4; i++) {
      const from = messages.length;
      await until('progress', from);
      const seq = nextSeq();
      await writeFromAnotherThread(control, encodeCommand({ seq, paused: true }), 40 + i * 70);
      const paused = await until('paused', from);
      expect(paused.seq).toBe(seq);
      acks.push(paused);
      command(false);
    }
    stop();
    await running;
    // Landing exactly between two steps is a < 1 % chance per pause; a trainer that only looks there never ends one early.
    expect(acks.filter((ack) => ack.endedEarly !== null).length).toBeGreaterThanOrEqual(3);
  });

  it('removes checkpoint temp files that a killed write left behind, and nothing else', async () => {
    const stale = join(dir, `.run.ckpt.99999.0123456789ab.tmp`);
    const unrelated = join(dir, 'notes.txt');
    writeFileSync(stale, Buffer.alloc(2_000_000));
    writeFileSync(unrelated, 'keep me');
    const { trainer, messages } = start();
    await trainer.init();
    expect(existsSync(stale)).toBe(false);
    expect(readFileSync(unrelated, 'utf8')).toBe('keep me');
    expect(messages.find((m) => m.type === 'warning')).toMatchObject({ message: expect.stringContaining('2.0 MB of checkpoint temp files') });
  });

  it("numbers batches by the run's step until an assignment, then from 0 at the step each assignment lands on", async () => {
    const batches: number[] = [];
    const watched = (taskConfig: TrainerConfig): Task => {
      const task = createTask(taskConfig);
      return { ...task, batch: (step, rows) => (batches.push(step), task.batch(step, rows)) };
    };
    const { trainer, messages, until, untilHeld, stop } = start({ checkpointPath: join(dir, 'assigned.ckpt'), firstStep: 4, startHeld: true }, watched);
    await trainer.init();
    const running = trainer.run();
    await untilHeld(4);
    expect(batches).toEqual([]);
    let id = 0;
    const rebase = async (assignment: { shard: number; seed: string } | null, stepLimit: number) => {
      trainer.request({ type: 'rebase', id: ++id, shift: null, assignment, stepLimit });
      expect(await until('wrote', messages.length)).toEqual({ type: 'wrote', id, error: null });
      await untilHeld(stepLimit);
    };
    await rebase(null, 7);
    await rebase({ shard: 2, seed: 'round-1' }, 9);
    await rebase({ shard: 5, seed: 'round-2' }, 10);
    expect(batches).toEqual([4, 5, 6, 0, 1, 0]);

    // An assignment that lands while training closes the open unit first; a snapshot served with it holds 2 later.
    trainer.request({ type: 'rebase', id: ++id, shift: null, assignment: { shard: 6, seed: 'round-3' }, stepLimit: null });
    await until('progress', messages.length);
    trainer.request({ type: 'rebase', id: ++id, shift: null, assignment: { shard: 7, seed: 'round-4' } });
    trainer.request({ type: 'snapshot', id: ++id, hold: 2 });
    const { step } = await until('weights', messages.length);
    await untilHeld(step + 2);
    expect(batches.slice(6)).toEqual([...Array.from({ length: step - 10 }, (_, i) => i), 0, 1]);
    stop();
    await running;
    // Each hold closed a unit, on the shard its steps trained.
    const units = messages.filter((m) => m.type === 'unit').map((m) => (m as Extract<FromTrainer, { type: 'unit' }>).unit);
    expect(units.map(({ shard, stepStart, stepEnd }) => ({ shard, stepStart, stepEnd }))).toEqual([
      { shard: 1, stepStart: 4, stepEnd: 7 },
      { shard: 2, stepStart: 7, stepEnd: 9 },
      { shard: 5, stepStart: 9, stepEnd: 10 },
      { shard: 6, stepStart: 10, stepEnd: step },
      { shard: 7, stepStart: step, stepEnd: step + 2 },
    ]);
  });

  it.runIf(canMountTmpfs)('holds training while the disk is full, loses no step, and resumes by itself when room returns', async () => {
    const disk = mountTmpfs(64)!;
    try {
      const { trainer, messages, until, command, stop } = start({ checkpointPath: join(disk.path, 'run.ckpt'), reserveDiskBytes: 1_000_000 });
      await trainer.init();
      const running = trainer.run();
      await until('progress');
      const filler = disk.fill(500_000); // under the reserve: no checkpoint may be written
      command(true);
      const paused = await until('paused');
      const full = await until('disk');
      expect(full.full!.freeBytes).toBeLessThan(full.full!.neededBytes);
      expect(messages.some((m) => m.type === 'unit')).toBe(false);

      command(false);
      const resumedAt = messages.length;
      await until('resumed', resumedAt);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(messages.slice(resumedAt).filter((m) => m.type === 'progress')).toEqual([]); // held, not training

      rmSync(filler);
      const room = await until('unit');
      expect(messages.filter((m) => m.type === 'disk').map((m) => (m as { full: unknown }).full === null)).toEqual([false, true]);
      expect(room.unit).toMatchObject({ stepStart: 0, stepEnd: paused.step, samples: paused.step * 16 });
      expect((await readCheckpoint(join(disk.path, 'run.ckpt')))?.meta).toMatchObject({ step: paused.step });
      await until('progress', messages.indexOf(room)); // training again
      stop();
      await running;
    } finally {
      disk.unmount();
    }
  });
});

/** Writes `word` into the command slot from another thread after `delayMs`, as TrainerHost does from the node. */
function writeFromAnotherThread(control: Int32Array, word: number, delayMs: number): Promise<void> {
  const source = `
    const { workerData } = require('node:worker_threads');
    const control = new Int32Array(workerData.buffer);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.delayMs);
    Atomics.store(control, ${CONTROL.COMMAND}, workerData.word);
    Atomics.notify(control, ${CONTROL.COMMAND});`;
  const worker = new Worker(source, { eval: true, workerData: { buffer: control.buffer, word, delayMs } });
  return new Promise((resolve, reject) => {
    worker.once('online', () => resolve());
    worker.once('error', reject);
  });
}
