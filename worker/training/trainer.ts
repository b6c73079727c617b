/**
 * The training loop that runs inside the trainer thread: one GAN step at a time on this peer's shard,
 * progress and paintings reported as it goes, and work units closed by a durable checkpoint.
 *
 * Between two steps it reads the shared control flags, so a pause takes effect as soon as the current step
 * ends, and nothing trained so far is lost (the unit is closed and checkpointed while paused).
 */
import * as tf from '@tensorflow/tfjs';
import { rename } from 'node:fs/promises';
import type { BackendName, ProgressPoint } from '../api/contract.js';
import { selectBackend } from './backend.js';
import { CheckpointError, readCheckpoint, restoreCheckpoint, saveCheckpoint } from './checkpoint.js';
import { loadDataset } from './data/datasets.js';
import { batchIndices, gatherBatch, shardIndices } from './data/shards.js';
import { seededNoise, trainStepMicro } from './gan.js';
import { renderSampleGrid } from './images.js';
import { nextMicroBatch } from './micro-batch.js';
import { getModel } from './models/registry.js';
import { CONTROL, preciseNow, type FromTrainer, type TrainerConfig, type UnitRecord } from './protocol.js';
import type { GanModels, GanOptimizers, ImageDataset, StepLosses } from './types.js';

const PROGRESS_INTERVAL_MS = 1000;
const SAMPLE_GRID = 8;
/**
 * Fixed latent vectors for the paintings, so successive grids show the same 64 "ideas" improving; seeded in
 * plain JS, so every backend and every peer paints from the same ones.
 */
const SAMPLE_SEED = 'airtist-paintings';

interface CheckpointMeta {
  format: 'airtist-gan/1';
  runId: string;
  model: string;
  dataset: string;
  step: number;
  lastUnit: UnitRecord | null;
  savedAt: number;
}

/**
 * Running sums for the open work unit and for the current progress window. Time is wall time from the
 * window's start to its last step, so samples/s includes every overhead of the node, not just the maths.
 */
class Accumulator {
  steps = 0;
  samples = 0;
  dLoss = 0;
  gLoss = 0;
  readonly startedAt = preciseNow();
  add(samples: number, d: number, g: number): void {
    this.steps++;
    this.samples += samples;
    this.dLoss += d;
    this.gLoss += g;
  }
  secondsUntil(end: number): number {
    return Math.max(0, (end - this.startedAt) / 1000);
  }
}

export class Trainer {
  private step = 0;
  private backend: BackendName = 'cpu';
  private dataset!: ImageDataset;
  private shard!: Uint32Array;
  private models!: GanModels;
  private optimizers!: GanOptimizers;
  private sampleNoise!: tf.Tensor2D;
  private unit = new Accumulator();
  private unitStartStep = 0;
  private window = new Accumulator();
  private lastProgressAt = 0;
  private lastSamplesAt = 0;
  /** When the last micro-step ended: what a pause waits for. */
  private lastWorkEndedAt = preciseNow();
  /** The step in flight, between two micro-steps. */
  private inFlight: { real: tf.Tensor4D; steps: Generator<void, StepLosses | null, boolean | undefined> } | null = null;
  private microBatch: number;
  private minMicroBatch = 1;
  /** Time and count of the micro-steps of the step in flight, for tuning the micro-batch. */
  private microStepMs = 0;
  private microSteps = 0;
  private lastUnit: UnitRecord | null = null;

  constructor(
    private config: TrainerConfig,
    private readonly control: Int32Array,
    private readonly post: (message: FromTrainer) => void,
  ) {
    this.microBatch = config.batchSize;
  }

  updateIntervals(sampleIntervalSeconds: number, workUnitSeconds: number): void {
    this.config = { ...this.config, sampleIntervalSeconds, workUnitSeconds };
  }

  async init(): Promise<void> {
    this.backend = await selectBackend(this.config.backend);
    this.dataset = loadDataset(this.config.dataset);
    this.shard = shardIndices(this.dataset.count, this.config.shardCount, this.config.shard);
    const definition = getModel(this.config.model);
    this.minMicroBatch = Math.min(definition.minMicroBatch, this.config.batchSize);
    const { height, width, channels } = this.dataset;
    this.models = definition.build([height, width, channels]);
    this.optimizers = definition.createOptimizers();
    this.sampleNoise = seededNoise(SAMPLE_GRID * SAMPLE_GRID, this.models.latentDim, SAMPLE_SEED);

    await this.restore();
    this.unitStartStep = this.step;
    this.post({ type: 'ready', backend: this.backend, step: this.step, restoredUnit: this.lastUnit });
    this.publishSamples(Date.now());
  }

  /**
   * Continues from the run's checkpoint if there is one. A checkpoint that cannot be used (damaged on disk,
   * or written by a model that has since changed) is set aside, not deleted, and training starts afresh:
   * the node keeps mining, and the ledger still holds every unit recorded so far.
   */
  private async restore(): Promise<void> {
    const path = this.config.checkpointPath;
    this.step = this.config.firstStep;
    try {
      const checkpoint = await readCheckpoint(path);
      const meta = checkpoint?.meta as CheckpointMeta | undefined;
      if (!checkpoint || meta?.runId !== this.config.runId) return;
      await restoreCheckpoint(checkpoint, this.models, this.optimizers);
      this.step = meta.step;
      this.lastUnit = meta.lastUnit;
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
      const aside = `${path}.unusable-${Date.now()}`;
      await rename(path, aside);
      this.post({ type: 'warning', message: `${error.message}; set it aside as ${aside} and started this run afresh` });
    }
  }

  /** Trains until asked to stop. */
  async run(): Promise<void> {
    this.beginUnit();
    while (!this.flag(CONTROL.STOP)) {
      if (this.flag(CONTROL.PAUSE)) {
        await this.pauseUntilResumed();
        continue;
      }
      if (!this.microStep()) continue; // between micro-steps only the flags are checked
      const now = Date.now();
      if (now - this.lastProgressAt >= PROGRESS_INTERVAL_MS) this.publishProgress(now);
      if (now - this.lastSamplesAt >= this.config.sampleIntervalSeconds * 1000) this.publishSamples(now);
      if (this.unit.secondsUntil(preciseNow()) >= this.config.workUnitSeconds) await this.closeUnit();
      // Let queued messages (settings) in; costs microseconds against a step of milliseconds.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.microStep(true);
    await this.closeUnit();
    this.post({ type: 'stopped', step: this.step });
  }

  private flag(slot: number): boolean {
    return Atomics.load(this.control, slot) === 1;
  }

  /**
   * Runs one micro-step of the step in flight (starting a step if none is). With `endEarly`, finishes the
   * step in flight at once instead (see `trainStepMicro`): the weights then match whole steps again.
   * Returns true when a step was completed.
   */
  private microStep(endEarly = false): boolean {
    const { batchSize } = this.config;
    if (!this.inFlight) {
      if (endEarly) return false;
      const { height, width, channels } = this.dataset;
      const indices = batchIndices(this.shard, this.config.runId, this.step, batchSize);
      const real = tf.tensor4d(gatherBatch(this.dataset, indices), [batchSize, height, width, channels]);
      const steps = trainStepMicro(this.models, this.optimizers, real, undefined, { microBatch: this.microBatch });
      this.inFlight = { real, steps };
    }
    const started = preciseNow();
    const next = this.inFlight.steps.next(endEarly);
    this.lastWorkEndedAt = preciseNow();
    if (!endEarly) {
      this.microStepMs += this.lastWorkEndedAt - started;
      this.microSteps++;
    }
    if (!next.done) return false;
    this.inFlight.real.dispose();
    this.inFlight = null;
    // Dropped before any update: the same step (same batch) runs again after the pause.
    if (next.value === null) return false;
    this.step++;
    this.unit.add(batchSize, next.value.discriminator, next.value.generator);
    this.window.add(batchSize, next.value.discriminator, next.value.generator);
    this.tuneMicroBatch();
    return true;
  }

  private tuneMicroBatch(): void {
    const meanMs = this.microStepMs / Math.max(1, this.microSteps);
    this.microStepMs = 0;
    this.microSteps = 0;
    this.microBatch = nextMicroBatch({ current: this.microBatch, batchSize: this.config.batchSize, min: this.minMicroBatch, meanMs });
  }

  private async pauseUntilResumed(): Promise<void> {
    this.microStep(true);
    this.post({ type: 'paused', step: this.step, at: this.lastWorkEndedAt });
    this.publishProgress(Date.now());
    await this.closeUnit(); // the work so far is durable while we wait
    while (this.flag(CONTROL.PAUSE) && !this.flag(CONTROL.STOP)) {
      const wait = Atomics.waitAsync(this.control, CONTROL.PAUSE, 1, 1000);
      if (wait.async) await wait.value;
    }
    if (!this.flag(CONTROL.STOP)) this.post({ type: 'resumed', step: this.step });
    this.beginUnit();
    this.window = new Accumulator();
  }

  private beginUnit(): void {
    this.unit = new Accumulator();
    this.unitStartStep = this.step;
  }

  /** Checkpoints the unit's weights first, then reports the unit: the ledger never runs ahead of the weights. */
  private async closeUnit(): Promise<void> {
    const { unit } = this;
    if (unit.steps === 0) return;
    const record: UnitRecord = {
      runId: this.config.runId,
      shard: this.config.shard,
      stepStart: this.unitStartStep,
      stepEnd: this.step,
      samples: unit.samples,
      seconds: unit.secondsUntil(this.lastWorkEndedAt),
      discriminatorLoss: unit.dLoss / unit.steps,
      generatorLoss: unit.gLoss / unit.steps,
      finishedAt: Date.now(),
    };
    this.beginUnit();
    this.lastUnit = record;
    const meta: CheckpointMeta = {
      format: 'airtist-gan/1',
      runId: this.config.runId,
      model: this.config.model,
      dataset: this.config.dataset,
      step: this.step,
      lastUnit: record,
      savedAt: Date.now(),
    };
    await saveCheckpoint(this.config.checkpointPath, meta, this.models, this.optimizers);
    this.post({ type: 'unit', unit: record });
  }

  private publishProgress(now: number): void {
    const { window } = this;
    this.lastProgressAt = now;
    if (window.steps === 0) return;
    const point: ProgressPoint = {
      step: this.step,
      samplesPerSecond: window.samples / Math.max(window.secondsUntil(this.lastWorkEndedAt), 1e-6),
      microBatch: this.microBatch,
      discriminatorLoss: window.dLoss / window.steps,
      generatorLoss: window.gLoss / window.steps,
      time: now,
    };
    this.window = new Accumulator();
    this.post({ type: 'progress', point });
  }

  private publishSamples(now: number): void {
    this.lastSamplesAt = now;
    const grid = renderSampleGrid(this.models.generator, this.sampleNoise, SAMPLE_GRID);
    this.post({
      type: 'samples',
      frame: {
        step: this.step,
        pngBase64: Buffer.from(grid.png).toString('base64'),
        width: grid.width,
        height: grid.height,
        time: now,
      },
    });
  }
}
