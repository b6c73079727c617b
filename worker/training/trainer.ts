/**
 * The training loop that runs inside the trainer thread: one step of the run's task at a time on this peer's
 * shard, progress and previews reported as it goes, and work units closed by a durable checkpoint. It knows
 * the task only through the `Task` interface: losses by name, weights as one vector.
 *
 * Between two micro-steps it reads the shared command word, so a pause takes effect as soon as the
 * micro-step in flight ends; the step in flight is then ended cleanly and the open work unit closed and
 * checkpointed while paused, so nothing trained is lost. Every command is acknowledged with its number.
 * A checkpoint that finds no room on disk holds training (the steps stay in memory, unrecorded) until
 * room returns, instead of failing and retraining the same steps.
 *
 * For the node's rounds it also holds at a step limit (closing and checkpointing the open unit, as a pause
 * does) until a request raises it, and serves requests — weights, snapshots, rebases — only between whole
 * steps and never during a checkpoint, so a checkpoint never mixes weights from before and after a rebase.
 */
import { rename, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BackendName, ProgressPoint } from '../api/contract.js';
import { selectBackend } from './backend.js';
import { removeStaleTempFiles, writeFileDurably } from '../durable-file.js';
import { CheckpointError, captureCheckpoint, readCheckpoint, restoreCheckpoint } from './checkpoint.js';
import { MicroBatchTuner } from './micro-batch.js';
import {
  CONTROL,
  decodeCommand,
  preciseNow,
  type Command,
  type DiskFull,
  type EndedEarly,
  type FromTrainer,
  type Rebase,
  type TrainerConfig,
  type TrainerRequest,
  type UnitRecord,
} from './protocol.js';
import { scoreCandidates } from './scoring.js';
import type { Assignment, Losses, Task, TaskBatch, TaskScorer } from './task.js';
import { createTask } from './tasks/index.js';

const PROGRESS_INTERVAL_MS = 1000;
/** How often a trainer held by a full disk looks for room again. */
const DISK_RETRY_MS = 5000;
/** The longest rest after one step, whatever the intensity: progress and requests keep flowing. */
const MAX_REST_MS = 2000;
/** Errors that mean "no room", whatever the OS calls it. */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

function checkSteps(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number of steps, got ${value}`);
}

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
  private readonly sums = new Map<string, number>();
  readonly startedAt = preciseNow();
  add(samples: number, losses: Losses): void {
    this.steps++;
    this.samples += samples;
    for (const [name, value] of Object.entries(losses)) this.sums.set(name, (this.sums.get(name) ?? 0) + value);
  }
  /** Mean of each loss over the steps so far. */
  meanLosses(): Losses {
    return Object.fromEntries([...this.sums].map(([name, sum]) => [name, sum / Math.max(1, this.steps)]));
  }
  secondsUntil(end: number): number {
    return Math.max(0, (end - this.startedAt) / 1000);
  }
}

export class Trainer {
  private step = 0;
  private backend: BackendName = 'cpu';
  private task!: Task;
  private unit = new Accumulator();
  private unitStartStep = 0;
  private window = new Accumulator();
  private lastProgressAt = 0;
  private lastSamplesAt = 0;
  /** When the last micro-step ended: what a pause waits for. */
  private lastWorkEndedAt = preciseNow();
  /** The step in flight, between two micro-steps. */
  private inFlight: { batch: TaskBatch; steps: Generator<void, Losses | null, boolean | undefined> } | null = null;
  private tuner!: MicroBatchTuner;
  /** Time and count of the micro-steps of the step in flight, for tuning the micro-batch. */
  private microStepMs = 0;
  private microSteps = 0;
  /** The compute time of the last whole step: what a rest below full intensity is measured against. */
  private lastStepMs = 0;
  private lastUnit: UnitRecord | null = null;
  /** The last command acknowledged, and in which state. */
  private acked: Command | null = null;
  /** Set while the open unit's checkpoint finds no room on disk: training holds until it fits. */
  private diskFull: DiskFull | null = null;
  /** No step starts at or past this one (see `holdUntilGranted`); null = no limit. */
  private stepLimit: number | null = null;
  /** The step `held` was reported at, until the next step starts: one `held` per hold. */
  private heldAt: number | null = null;
  /** The shard trained now, and the step its assignment's batches number from (0 before any assignment). */
  private shard = 0;
  private assignedAtStep = 0;
  /** The shard the open unit's steps trained on: a unit reports one shard. */
  private unitShard = 0;
  /** Requests waiting for the loop to be between whole steps, and the call that wakes a waiting loop. */
  private readonly requests: TrainerRequest[] = [];
  /** Built on the first score request: two more copies of the networks, which most peers never need. */
  private scorer: TaskScorer | null = null;
  private wake: (() => void) | null = null;

  constructor(
    private config: TrainerConfig,
    private readonly control: Int32Array,
    private readonly post: (message: FromTrainer, transfer?: ArrayBuffer[]) => void,
    /** Builds the run's task; tests pass one that watches it. */
    private readonly makeTask: (config: TrainerConfig) => Task = createTask,
  ) {}

  /** Queues a request; the loop serves it between whole steps, or at once if it is waiting. */
  request(message: TrainerRequest): void {
    this.requests.push(message);
    this.wake?.();
  }

  updateSettings(sampleIntervalSeconds: number, workUnitSeconds: number, intensity: number): void {
    this.config = { ...this.config, sampleIntervalSeconds, workUnitSeconds, intensity };
  }

  async init(): Promise<void> {
    this.backend = await selectBackend(this.config.backend);
    this.task = this.makeTask(this.config);
    this.tuner = new MicroBatchTuner({ batchSize: this.config.batchSize, min: this.task.minMicroBatch, ...(this.config.microStepTargetMs ? { targetMs: this.config.microStepTargetMs } : {}) });
    if (this.config.microBatch !== undefined) this.tuner.current = this.config.microBatch;
    this.shard = this.config.shard;

    await this.restore();
    this.unitStartStep = this.step;
    if (this.config.startHeld) this.stepLimit = this.step;
    this.post({ type: 'ready', backend: this.backend, step: this.step, restoredUnit: this.lastUnit });
    if (!this.config.paintOnRequest) this.publishSamples(Date.now());
  }

  /**
   * Continues from the run's checkpoint if there is one. A checkpoint that cannot be used (damaged on disk,
   * or written by a model that has since changed) is set aside, not deleted, and training starts afresh:
   * the node keeps mining, and the ledger still holds every unit recorded so far. Afresh means from the
   * weights the run's seed gives, the same on every peer.
   */
  private async restore(): Promise<void> {
    const path = this.config.checkpointPath;
    this.step = this.config.firstStep;
    this.task.writeWeights(this.task.seededWeights(this.config.seed));
    // This node owns the data dir and has no write in flight: any temp file is a killed write's leftover.
    const freed = await removeStaleTempFiles(path);
    if (freed > 0) this.post({ type: 'warning', message: `removed ${(freed / 1e6).toFixed(1)} MB of checkpoint temp files left by a killed write` });
    try {
      const checkpoint = await readCheckpoint(path);
      const meta = checkpoint?.meta as CheckpointMeta | undefined;
      if (!checkpoint || meta?.runId !== this.config.runId) return;
      await restoreCheckpoint(checkpoint, this.task.networks);
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
    this.serveRequests(); // any that came during init
    while (!this.stopRequested()) {
      const command = this.acknowledge();
      if (command.paused) await this.pauseUntilResumed();
      else if (this.diskFull) await this.waitForDisk();
      else if (this.held()) await this.holdUntilGranted();
      else if (this.unitShard !== this.shard) await this.closeUnitOfOldShard();
      else if (this.microStep()) await this.afterStep();
      // Between micro-steps of a step only the command is read: a pause waits for one micro-step.
    }
    this.microStep(true);
    await this.closeUnit();
    if (this.diskFull) this.post({ type: 'warning', message: `stopped with the disk full: steps ${this.unitStartStep}–${this.step} were not saved` });
    this.post({ type: 'stopped', step: this.step });
  }

  private async afterStep(): Promise<void> {
    const now = Date.now();
    if (now - this.lastProgressAt >= PROGRESS_INTERVAL_MS) this.publishProgress(now);
    if (!this.config.paintOnRequest && now - this.lastSamplesAt >= this.config.sampleIntervalSeconds * 1000) this.publishSamples(now);
    if (this.unit.secondsUntil(preciseNow()) >= this.config.workUnitSeconds) await this.closeUnit();
    // Let queued messages (settings, requests) in; costs microseconds against a step of milliseconds.
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.serveRequests();
    // Below full intensity the thread rests after each step, in proportion to its compute (a duty cycle);
    // a pause or a request ends the rest at once.
    const intensity = this.config.intensity ?? 1;
    if (intensity > 0 && intensity < 1) await this.idle(Math.min(MAX_REST_MS, this.lastStepMs * (1 / intensity - 1)));
  }

  private serveRequests(): void {
    for (let request = this.requests.shift(); request; request = this.requests.shift()) this.serve(request);
  }

  /** Answers one request by its id; a refused one changes nothing and is answered with why. */
  private serve(request: TrainerRequest): void {
    try {
      switch (request.type) {
        case 'readWeights':
          return this.postWeights(request.id);
        case 'snapshot':
          checkSteps('hold', request.hold);
          this.postWeights(request.id);
          this.stepLimit = this.step + request.hold;
          return;
        case 'writeWeights':
          this.task.writeWeights(request.values);
          break;
        case 'rebase':
          this.rebase(request);
          break;
        case 'paint':
          this.paint(request.values, request.round);
          break;
        case 'score': {
          this.scorer ??= this.task.createScorer();
          const improvements = scoreCandidates(this.task, this.scorer, request);
          return this.post({ type: 'scored', id: request.id, improvements, error: null });
        }
      }
      this.post({ type: 'wrote', id: request.id, error: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (request.type === 'score') this.post({ type: 'scored', id: request.id, improvements: null, error: message });
      else this.post({ type: 'wrote', id: request.id, error: message });
    }
  }

  private postWeights(id: number): void {
    const values = this.task.readWeights();
    this.post({ type: 'weights', id, manifest: this.task.manifest, values, step: this.step }, [values.buffer as ArrayBuffer]);
  }

  /** Applies a `Rebase` all or nothing: everything is checked before anything changes. */
  private rebase({ shift, assignment, stepLimit }: Rebase): void {
    let weights: Float32Array | null = null;
    if (shift) {
      weights = this.task.readWeights();
      if (shift.length !== weights.length) throw new RangeError(`shift: got ${shift.length} floats, the model has ${weights.length}`);
      for (let i = 0; i < weights.length; i++) {
        const delta = shift[i]!;
        if (!Number.isFinite(delta)) throw new RangeError(`shift: float ${i} is ${delta}`);
        weights[i]! += delta; // rounded to float32 on store
      }
    }
    if (assignment) this.checkAssignment(assignment);
    if (stepLimit !== undefined && stepLimit !== null) checkSteps('step limit', stepLimit);
    if (weights) this.task.writeWeights(weights);
    if (assignment) {
      this.task.assign(assignment);
      this.shard = assignment.shard;
      this.assignedAtStep = this.step;
    }
    if (stepLimit !== undefined) this.stepLimit = stepLimit;
  }

  private checkAssignment({ shard, seed }: Assignment): void {
    const { shardCount } = this.config;
    if (!Number.isInteger(shard) || shard < 0 || shard >= shardCount) throw new RangeError(`assignment: shard ${shard} is not one of ${shardCount}`);
    if (typeof seed !== 'string' || seed === '') throw new RangeError('assignment: the seed must be a non-empty string');
  }

  /** Whether training holds at the step limit. Limits change only between whole steps, so never mid-step. */
  private held(): boolean {
    return this.stepLimit !== null && this.step >= this.stepLimit;
  }

  private stopRequested(): boolean {
    return Atomics.load(this.control, CONTROL.STOP) === 1;
  }

  /**
   * Reads the latest command and acknowledges it if it is new. A `paused` acknowledgement promises that no
   * compute runs until the next resume, so it is sent only once the step in flight has ended.
   */
  private acknowledge(): Command {
    const command = decodeCommand(Atomics.load(this.control, CONTROL.COMMAND));
    if (this.acked?.seq === command.seq && this.acked.paused === command.paused) return command;
    if (command.paused) {
      const endedEarly = this.microStep(true);
      this.post({ type: 'paused', seq: command.seq, step: this.step, at: this.lastWorkEndedAt, endedEarly });
    } else {
      this.post({ type: 'resumed', seq: command.seq, step: this.step });
    }
    this.acked = command;
    return command;
  }

  /**
   * Runs one micro-step of the step in flight (starting a step if none is). With `endEarly`, finishes the
   * step in flight at once instead (see `trainStepMicro`) and says how: the weights then match whole steps
   * again. Returns whether a step was completed (or, with `endEarly`, how it was ended).
   */
  private microStep(endEarly: true): EndedEarly;
  private microStep(endEarly?: false): boolean;
  private microStep(endEarly = false): boolean | EndedEarly {
    const { batchSize } = this.config;
    if (!this.inFlight) {
      if (endEarly) return null;
      this.heldAt = null;
      const batch = this.task.batch(this.step - this.assignedAtStep, batchSize);
      this.inFlight = { batch, steps: this.task.trainStep(batch, this.tuner.current) };
    }
    const started = preciseNow();
    const next = this.inFlight.steps.next(endEarly);
    this.lastWorkEndedAt = preciseNow();
    if (!endEarly) {
      this.microStepMs += this.lastWorkEndedAt - started;
      this.microSteps++;
    }
    if (!next.done) return false;
    this.inFlight.batch.dispose();
    this.inFlight = null;
    // Dropped before any update: the same step (same batch) runs again after the pause.
    if (next.value === null) return endEarly ? 'dropped' : false;
    this.step++;
    this.unit.add(batchSize, next.value);
    this.window.add(batchSize, next.value);
    this.tuneMicroBatch(endEarly);
    return endEarly ? 'shortened' : true;
  }

  private tuneMicroBatch(endedEarly: boolean): void {
    const meanMs = this.microStepMs / Math.max(1, this.microSteps);
    this.lastStepMs = this.microStepMs;
    this.microStepMs = 0;
    this.microSteps = 0;
    if (this.config.microBatch === undefined && !endedEarly) this.tuner.observe(meanMs);
  }

  private async pauseUntilResumed(): Promise<void> {
    this.publishProgress(Date.now());
    await this.closeUnit(); // the work so far is durable while we wait
    while (this.acknowledge().paused && !this.stopRequested()) await this.idle(1000);
    // The time paused is not work; a unit still held by a full disk keeps its steps, and its time so far.
    if (!this.diskFull) this.beginUnit();
    this.window = new Accumulator();
  }

  /**
   * Holds at the step limit until a request raises or lifts it. The open unit is closed and checkpointed
   * first, as in a pause, so the work so far is durable while the node exchanges it; commands are still
   * acknowledged and requests served. Held is not paused: a pause (and its resume) may come and go meanwhile.
   */
  private async holdUntilGranted(): Promise<void> {
    if (this.heldAt !== this.step) this.post({ type: 'held', step: this.step });
    this.heldAt = this.step;
    this.publishProgress(Date.now());
    await this.closeUnit();
    while (this.held() && !this.diskFull && !this.stopRequested() && !this.acknowledge().paused) await this.idle(1000);
    // The time held is not work.
    if (!this.diskFull) this.beginUnit();
    this.window = new Accumulator();
  }

  /** The first step on a new shard closes the unit of the old one (a unit without steps just restarts). */
  private async closeUnitOfOldShard(): Promise<void> {
    if (this.unit.steps > 0) await this.closeUnit();
    else this.beginUnit();
  }

  /** Waits at most `timeoutMs` for a new command, stop or request, then serves the requests queued. */
  private async idle(timeoutMs: number): Promise<void> {
    if (this.requests.length === 0) {
      const arrived = new Promise<void>((resolve) => (this.wake = resolve));
      await Promise.race([this.waitForCommand(timeoutMs), arrived]);
      this.wake = null;
    }
    this.serveRequests();
  }

  /** Waits for a new command (or stop), at most `timeoutMs`. */
  private async waitForCommand(timeoutMs: number): Promise<void> {
    const seen = Atomics.load(this.control, CONTROL.COMMAND);
    const wait = Atomics.waitAsync(this.control, CONTROL.COMMAND, seen, timeoutMs);
    if (wait.async) await wait.value;
  }

  /** Holds training while the checkpoint finds no room, answering commands; retries every few seconds. */
  private async waitForDisk(): Promise<void> {
    const started = Date.now();
    while (!this.stopRequested() && !this.acknowledge().paused) {
      const waited = Date.now() - started;
      if (waited >= DISK_RETRY_MS) return this.closeUnit();
      await this.idle(DISK_RETRY_MS - waited);
    }
  }

  private beginUnit(): void {
    this.unit = new Accumulator();
    this.unitStartStep = this.step;
    this.unitShard = this.shard;
  }

  /**
   * Checkpoints the unit's weights first, then reports the unit: the ledger never runs ahead of the weights.
   * Without room for the checkpoint (and the reserve) the unit stays open and training holds until it fits;
   * other write errors are the supervisor's (the thread fails and restarts from the last checkpoint).
   */
  private async closeUnit(): Promise<void> {
    const { unit } = this;
    if (unit.steps === 0) return;
    const record: UnitRecord = {
      runId: this.config.runId,
      shard: this.unitShard,
      stepStart: this.unitStartStep,
      stepEnd: this.step,
      samples: unit.samples,
      seconds: unit.secondsUntil(this.lastWorkEndedAt),
      losses: unit.meanLosses(),
      finishedAt: Date.now(),
    };
    const meta: CheckpointMeta = {
      format: 'airtist-gan/1',
      runId: this.config.runId,
      model: this.config.model,
      dataset: this.config.dataset,
      step: this.step,
      lastUnit: record,
      savedAt: Date.now(),
    };
    const bytes = await captureCheckpoint(meta, this.task.networks);
    const neededBytes = bytes.length + this.config.reserveDiskBytes;
    let full: DiskFull | null = null;
    try {
      const freeBytes = await this.freeBytes();
      if (freeBytes < neededBytes) full = { freeBytes, neededBytes };
      else await writeFileDurably(this.config.checkpointPath, bytes);
    } catch (error) {
      if (!NO_SPACE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      full = { freeBytes: await this.freeBytes().catch(() => 0), neededBytes };
    }
    if (full) {
      if (!this.diskFull) this.post({ type: 'disk', full });
      this.diskFull = full;
      return;
    }
    if (this.diskFull) this.post({ type: 'disk', full: null });
    this.diskFull = null;
    this.beginUnit();
    this.lastUnit = record;
    this.post({ type: 'unit', unit: record });
  }

  private async freeBytes(): Promise<number> {
    const fs = await statfs(dirname(this.config.checkpointPath));
    return fs.bavail * fs.bsize;
  }

  private publishProgress(now: number): void {
    const { window } = this;
    this.lastProgressAt = now;
    if (window.steps === 0) return;
    const point: ProgressPoint = {
      step: this.step,
      samplesPerSecond: window.samples / Math.max(window.secondsUntil(this.lastWorkEndedAt), 1e-6),
      microBatch: this.tuner.current,
      losses: window.meanLosses(),
      time: now,
    };
    this.window = new Accumulator();
    this.post({ type: 'progress', point });
  }

  private publishSamples(now: number, round?: number): void {
    this.lastSamplesAt = now;
    const grid = this.task.preview();
    if (!grid) return;
    this.post({
      type: 'samples',
      frame: {
        step: this.step,
        ...(round !== undefined ? { round } : {}),
        pngBase64: Buffer.from(grid.png).toString('base64'),
        width: grid.width,
        height: grid.height,
        time: now,
      },
    });
  }

  /** Paints `values` instead of the local weights, then puts the local weights back exactly. */
  private paint(values: Float32Array, round: number): void {
    if (values.length !== this.task.manifest.size) throw new RangeError(`${values.length} values to paint, the model has ${this.task.manifest.size}`);
    checkSteps('round', round);
    const local = this.task.readWeights();
    this.task.writeWeights(values);
    try {
      this.publishSamples(Date.now(), round);
    } finally {
      this.task.writeWeights(local);
    }
  }
}
