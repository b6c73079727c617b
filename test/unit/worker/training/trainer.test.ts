/**
 * The training loop in-process (the thread entry only wires it to a port): pause between micro-steps,
 * checkpoints that hold whole steps and precede their work unit, resume from a checkpoint, clean stop.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../../../worker/training/checkpoint.js';
import { CONTROL, type FromTrainer, type TrainerConfig } from '../../../../worker/training/protocol.js';
import { Trainer } from '../../../../worker/training/trainer.js';

const dir = mkdtempSync(join(tmpdir(), 'airtist-trainer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config: TrainerConfig = {
  checkpointPath: join(dir, 'run.ckpt'),
  runId: 'test-run',
  model: 'mlp-gan',
  dataset: 'mnist',
  backend: 'wasm',
  shard: 1,
  shardCount: 8,
  batchSize: 16,
  firstStep: 0,
  sampleIntervalSeconds: 600,
  workUnitSeconds: 3600,
};

function start(overrides: Partial<TrainerConfig> = {}) {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL.SLOTS * 4));
  const messages: FromTrainer[] = [];
  const waiters: Array<() => void> = [];
  const trainer = new Trainer({ ...config, ...overrides }, control, (message) => {
    messages.push(message);
    waiters.splice(0).forEach((wake) => wake());
  });
  const until = async <T extends FromTrainer['type']>(type: T, after = 0): Promise<Extract<FromTrainer, { type: T }>> => {
    for (;;) {
      const found = messages.slice(after).find((m) => m.type === type);
      if (found) return found as Extract<FromTrainer, { type: T }>;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  const set = (slot: number, value: 0 | 1) => {
    Atomics.store(control, slot, value);
    Atomics.notify(control, CONTROL.PAUSE);
  };
  return { trainer, messages, until, set };
}

describe('Trainer', { timeout: 60_000 }, () => {
  it('pauses between micro-steps with a durable checkpoint of whole steps, then resumes and stops cleanly', async () => {
    const { trainer, messages, until, set } = start();
    await trainer.init();
    expect(messages[0]).toMatchObject({ type: 'ready', backend: 'wasm', step: 0, restoredUnit: null });
    expect(messages[1]).toMatchObject({ type: 'samples', frame: { step: 0 } }); // a painting before any step
    const running = trainer.run();
    await until('progress');

    set(CONTROL.PAUSE, 1);
    const paused = await until('paused');
    const unit = await until('unit');
    // The unit closed by the pause covers every step so far, and the checkpoint on disk already holds it.
    expect(unit.unit).toMatchObject({ runId: 'test-run', shard: 1, stepStart: 0, stepEnd: paused.step, samples: paused.step * 16 });
    const checkpoint = await readCheckpoint(config.checkpointPath);
    expect(checkpoint?.meta).toMatchObject({ step: paused.step, lastUnit: unit.unit });
    const count = messages.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(messages.slice(count).filter((m) => m.type === 'progress' || m.type === 'unit')).toEqual([]);

    set(CONTROL.PAUSE, 0);
    await until('resumed');
    const progress = messages.length;
    await until('progress', progress);
    set(CONTROL.STOP, 1);
    await running;
    const stopped = await until('stopped');
    expect(stopped.step).toBeGreaterThan(paused.step);
    expect((await readCheckpoint(config.checkpointPath))?.meta).toMatchObject({ step: stopped.step });
  });

  it('resumes from its checkpoint and reports the unit it holds, for the ledger to replay', async () => {
    const { trainer, messages } = start();
    await trainer.init();
    const checkpoint = await readCheckpoint(config.checkpointPath);
    const ready = messages[0] as Extract<FromTrainer, { type: 'ready' }>;
    expect(ready.step).toBe(checkpoint!.meta.step);
    expect(ready.restoredUnit).toEqual(checkpoint!.meta.lastUnit);
    expect(ready.restoredUnit!.stepEnd).toBe(ready.step);
  });

  it('sets a damaged checkpoint aside and starts afresh instead of refusing to mine', async () => {
    const damaged = Buffer.from(readFileSync(config.checkpointPath));
    damaged[damaged.length - 1]! ^= 0xff;
    writeFileSync(config.checkpointPath, damaged);
    const { trainer, messages } = start({ firstStep: 42 });
    await trainer.init();
    const warning = messages.find((m) => m.type === 'warning');
    expect(warning).toMatchObject({ type: 'warning', message: expect.stringContaining('started this run afresh') });
    // Fresh weights, but steps number on from the ledger's last unit so new units never collide with old ones.
    expect(messages.find((m) => m.type === 'ready')).toMatchObject({ step: 42, restoredUnit: null });
    expect(existsSync(config.checkpointPath)).toBe(false);
    const aside = readdirSync(dir).filter((name) => name.startsWith('run.ckpt.unusable-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, aside[0]!)).equals(damaged)).toBe(true); // kept for inspection, byte for byte
  });

  it('reports the micro-batch it trains with', async () => {
    const { trainer, until, set } = start();
    await trainer.init();
    const running = trainer.run();
    const point = (await until('progress')).point;
    expect(16 % point.microBatch).toBe(0);
    set(CONTROL.STOP, 1);
    await running;
  });
});
