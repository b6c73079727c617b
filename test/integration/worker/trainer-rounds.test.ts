/**
 * The trainer-side primitives of rounds, against the real trainer thread: a step limit that holds training
 * (from the start, or set by a snapshot), a rebase that moves the weights by a shift in float32 all or
 * nothing, and holds that still answer pause, resume and stop; and the supervisor that passes them on.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SamplesFrame } from '../../../worker/api/contract.js';
import type { TrainerConfig, UnitRecord } from '../../../worker/training/protocol.js';
import { quietEvents, testTrainerConfig } from '../../helpers/trainer.js';

const dist = (path: string) => new URL(`../../../dist/worker/training/${path}`, import.meta.url).href;
const { TrainerHost } = (await import(dist('trainer-host.js'))) as typeof import('../../../worker/training/trainer-host.js');
const { SupervisedTrainer } = (await import(dist('supervised-trainer.js'))) as typeof import('../../../worker/training/supervised-trainer.js');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
/** A loaded two-core machine can stretch a step; a hold or a stop must still show within this. */
const POLL = { timeout: 15_000 };

describe('rounds on the trainer thread', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-rounds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts a trainer that records what it reports. */
  async function start(name: string, overrides: Partial<TrainerConfig> = {}) {
    const seen = { held: [] as number[], frames: [] as SamplesFrame[], progress: [] as Array<{ step: number; samplesPerSecond: number }>, units: [] as UnitRecord[], state: null as 'paused' | 'resumed' | null, failures: [] as string[] };
    const { host, ready } = await TrainerHost.start(
      testTrainerConfig(join(dir, `${name}.ckpt`), overrides),
      quietEvents({
        held: (step) => void seen.held.push(step),
        samples: (frame) => void seen.frames.push(frame),
        progress: (point) => void seen.progress.push(point),
        unit: (unit) => void seen.units.push(unit),
        paused: () => void (seen.state = 'paused'),
        resumed: () => void (seen.state = 'resumed'),
        failed: (message) => void seen.failures.push(message),
      }),
    );
    return { host, ready, seen };
  }

  it('starts held at the restored step, then trains exactly the steps a rebase grants and holds again', async () => {
    const { host, ready, seen } = await start('start-held', { startHeld: true, firstStep: 5 });
    try {
      expect(ready.step).toBe(5);
      await expect.poll(() => seen.held, POLL).toEqual([5]);
      const before = await host.readWeights();
      await sleep(1500);
      const still = await host.readWeights();
      expect({ step: still.step, progress: seen.progress.length, same: same(still.values, before.values) }).toEqual({ step: 5, progress: 0, same: true });

      await host.rebase({ shift: null, assignment: { shard: 3, seed: 'round-1' }, stepLimit: 8 });
      await expect.poll(() => seen.held, POLL).toEqual([5, 8]);
      const trained = await host.readWeights();
      expect(trained.step).toBe(8);
      expect(same(trained.values, before.values)).toBe(false);
      // The hold closed the unit, on the assigned shard.
      await expect.poll(() => seen.units, POLL).toMatchObject([{ shard: 3, stepStart: 5, stepEnd: 8, samples: 3 * 16 }]);

      await sleep(3000);
      const held = await host.readWeights();
      expect({ step: held.step, same: same(held.values, trained.values), held: seen.held }).toEqual({ step: 8, same: true, held: [5, 8] });

      // Samples/s leave the 3 s held out: counted in, even one step a point would fall below 16 / 3.
      const from = seen.progress.length;
      await host.rebase({ shift: null, assignment: null, stepLimit: 11 });
      await expect.poll(() => seen.held, POLL).toEqual([5, 8, 11]);
      const points = seen.progress.slice(from);
      expect(points.length).toBeGreaterThan(0);
      for (const point of points) expect(point.samplesPerSecond).toBeGreaterThan(16 / 3);
      expect(seen.failures).toEqual([]);
    } finally {
      await host.stop();
    }
  });

  it('snapshots the weights with their step and holds exactly `hold` steps later', async () => {
    const { host, seen } = await start('snapshot');
    try {
      await expect.poll(() => seen.progress.length, POLL).toBeGreaterThan(0);
      const first = await host.snapshot(2); // taken while training
      expect(first.values.length).toBe(first.manifest.size);
      await expect.poll(() => seen.held, POLL).toEqual([first.step + 2]);
      const atLimit = await host.readWeights();
      expect(atLimit.step).toBe(first.step + 2);

      // Taken while held: the weights it returns are those held, and the limit moves on from them.
      const second = await host.snapshot(4);
      expect({ step: second.step, same: same(second.values, atLimit.values) }).toEqual({ step: first.step + 2, same: true });
      await expect.poll(() => seen.held, POLL).toEqual([first.step + 2, first.step + 6]);
      await sleep(1000);
      expect((await host.readWeights()).step).toBe(first.step + 6);

      // A hold of zero keeps it where it is: the same hold, not a new one.
      expect((await host.snapshot(0)).step).toBe(first.step + 6);
      await sleep(500);
      expect({ step: (await host.readWeights()).step, held: seen.held.length }).toEqual({ step: first.step + 6, held: 2 });
      await expect(host.snapshot(-1)).rejects.toThrow(/refused the snapshot: hold must be a whole number of steps/);
      expect(seen.failures).toEqual([]);
    } finally {
      await host.stop();
    }
  });

  it('moves the weights by a shift in float32, and refuses a wrong one without changing anything', async () => {
    const { host, seen } = await start('shift', { startHeld: true });
    try {
      await expect.poll(() => seen.held, POLL).toEqual([0]);
      const w0 = await host.readWeights();
      const shift = new Float32Array(w0.values.length);
      for (let i = 0; i < shift.length; i++) shift[i] = Math.fround(Math.sin(i) * 1e-3);
      const expected = w0.values.map((w, i) => Math.fround(w + shift[i]!));
      await host.rebase({ shift, assignment: null });
      // A thread takes the buffer over (no copy); a trainer process gets a copy (trainer-weights.test.ts has the thread).
      expect(shift.byteLength).toBe(host.isolation === 'thread' ? 0 : expected.byteLength);
      const w1 = await host.readWeights();
      expect(w1.step).toBe(0);
      let wrong = 0;
      for (let i = 0; i < expected.length; i++) if (!Object.is(w1.values[i], expected[i])) wrong++;
      expect(wrong).toBe(0);
      expect(same(w1.values, w0.values)).toBe(false);

      // Refused, all or nothing: neither the weights, nor the assignment, nor the step limit change.
      await expect(host.rebase({ shift: new Float32Array(10), assignment: null, stepLimit: 100 })).rejects.toThrow(/refused the rebase: shift: got 10 floats/);
      await expect(host.rebase({ shift: new Float32Array(w0.values.length).fill(1), assignment: { shard: 99, seed: 'x' }, stepLimit: 100 })).rejects.toThrow(/refused the rebase: assignment: shard 99/);
      await sleep(1000);
      const w2 = await host.readWeights();
      expect({ step: w2.step, same: same(w2.values, w1.values), progress: seen.progress.length }).toEqual({ step: 0, same: true, progress: 0 });
      expect(seen.failures).toEqual([]);
    } finally {
      await host.stop();
    }
  });

  it('paints given weights only when asked, as that round, and keeps its own weights exactly', async () => {
    const { host, seen } = await start('paint', { startHeld: true, paintOnRequest: true, sampleIntervalSeconds: 1 });
    try {
      await expect.poll(() => seen.held, POLL).toEqual([0]);
      await host.rebase({ shift: null, assignment: null, stepLimit: 3 });
      await expect.poll(() => seen.held, POLL).toEqual([0, 3]);
      // Never the local weights: without the flag the first step would already paint (none was painted at start).
      expect(seen.frames).toEqual([]);

      const own = await host.readWeights();
      const committed = Float32Array.from(own.values, (v, i) => (i % 2 ? v * 0.5 : v));
      await host.paint(Float32Array.from(committed), 7);
      await host.paint(Float32Array.from(own.values), 8);
      await host.paint(Float32Array.from(committed), 9);
      await expect.poll(() => seen.frames.length, POLL).toBe(3);
      expect(seen.frames.map((f) => f.round)).toEqual([7, 8, 9]);
      // The same weights paint the same picture; other weights another one.
      expect(seen.frames[2]!.pngBase64).toBe(seen.frames[0]!.pngBase64);
      expect(seen.frames[1]!.pngBase64).not.toBe(seen.frames[0]!.pngBase64);
      expect(same((await host.readWeights()).values, own.values)).toBe(true);
      await expect(host.paint(new Float32Array(3), 10)).rejects.toThrow(/values to paint/);
    } finally {
      await host.stop();
    }
  });

  it('scores candidates against a base on its own networks, keeps its weights exactly, and refuses a bad request whole', async () => {
    const { host, seen } = await start('score', { startHeld: true });
    try {
      await expect.poll(() => seen.held, POLL).toEqual([0]);
      const own = await host.readWeights();
      // A candidate moved across both networks helps or hurts each; its mirror moves them the other way.
      const stride = Math.floor(own.values.length / 2000);
      const indices = Uint32Array.from({ length: 2000 }, (_, i) => i * stride);
      const values = Float32Array.from(indices, (_, i) => (i % 3 === 0 ? 0.05 : -0.05));
      const candidate = { indices, values, assignment: { shard: 1, seed: 'round-1' }, step: 0 };
      const mirror = { ...candidate, values: values.map((v) => -v) };
      const [a, b] = await host.score({ base: Float32Array.from(own.values), candidates: [candidate, mirror], random: { shard: 2, seed: 'r' }, rows: 32, seed: 's' });
      expect(Object.keys(a!.assigned).sort()).toEqual(['discriminator', 'generator']);
      for (const name of ['discriminator', 'generator']) {
        expect(a!.assigned[name], name).not.toBe(0);
        expect(Math.sign(a!.assigned[name]!), name).toBe(-Math.sign(b!.assigned[name]!));
      }
      // The inputs were copied, not moved: the caller still holds its update.
      expect(values.length).toBe(2000);
      expect(same((await host.readWeights()).values, own.values)).toBe(true);
      await expect(host.score({ base: new Float32Array(3), candidates: [], random: { shard: 2, seed: 'r' }, rows: 32, seed: 's' })).rejects.toThrow(/refused to score: the base has 3 values/);
    } finally {
      await host.stop();
    }
  });

  it('acknowledges pause and resume while held, stays held after the resume, and stops promptly', async () => {
    const { host, seen } = await start('pause-held', { startHeld: true });
    try {
      await expect.poll(() => seen.held, POLL).toEqual([0]);
      const bounded = (call: Promise<unknown>) => Promise.race([call.then(() => 'settled'), sleep(5000).then(() => 'timeout')]);
      expect(await bounded(host.pause())).toBe('settled');
      expect(seen.state).toBe('paused');
      expect(await bounded(host.resume())).toBe('settled');
      expect(seen.state).toBe('resumed');
      await sleep(1500);
      expect({ step: (await host.readWeights()).step, progress: seen.progress.length, held: seen.held }).toEqual({ step: 0, progress: 0, held: [0] });

      // Paused, a raised limit waits for the resume.
      await host.pause();
      await host.rebase({ shift: null, assignment: null, stepLimit: 2 });
      await sleep(1000);
      expect((await host.readWeights()).step).toBe(0);
      await host.resume();
      await expect.poll(() => seen.held, POLL).toEqual([0, 2]);
      expect(seen.failures).toEqual([]);
    } finally {
      const stopping = performance.now();
      await host.stop();
      expect(performance.now() - stopping).toBeLessThan(5000);
    }
  });

  it('through the supervisor: holds are reported and requests reach the thread, and are refused while it restarts', async () => {
    const folder = join(dir, 'supervised');
    mkdirSync(folder);
    const held: number[] = [];
    const unitEnds: number[] = [];
    const failures: string[] = [];
    const { trainer } = await SupervisedTrainer.start(
      () => testTrainerConfig(join(folder, 'run.ckpt'), { startHeld: true }),
      { ...quietEvents({ held: (step) => void held.push(step), unit: (unit) => void unitEnds.push(unit.stepEnd), failed: (message) => void failures.push(message) }), restarted: () => {} },
      false,
      { initialMs: 60_000, maxMs: 60_000, stableMs: 60_000 },
    );
    try {
      await expect.poll(() => held, POLL).toEqual([0]);
      expect((await trainer.snapshot(2)).step).toBe(0);
      await expect.poll(() => held, POLL).toEqual([0, 2]);
      expect((await trainer.readWeights()).step).toBe(2);
      await trainer.rebase({ shift: null, assignment: null, stepLimit: 3 });
      await expect.poll(() => held, POLL).toEqual([0, 2, 3]);
      await expect.poll(() => unitEnds, POLL).toEqual([2, 3]); // the hold's checkpoint is written

      // The checkpoint at the next hold cannot be written: the thread fails, and a restart is a minute away.
      rmSync(folder, { recursive: true });
      writeFileSync(folder, 'not a directory');
      await trainer.rebase({ shift: null, assignment: null, stepLimit: 4 });
      await expect.poll(() => failures.length, POLL).toBeGreaterThan(0);
      await expect(trainer.snapshot(1)).rejects.toThrow(/restarting/);
      await expect(trainer.rebase({ shift: null, assignment: null })).rejects.toThrow(/restarting/);
    } finally {
      await trainer.stop();
    }
  });
});
