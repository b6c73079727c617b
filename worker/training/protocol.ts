/**
 * Messages between the node (trainer-host.ts) and the trainer thread (trainer.thread.ts).
 * Pause and stop do not travel as messages: they are words in a SharedArrayBuffer that the thread reads
 * between micro-steps, so a busy thread reacts within one micro-step, not after its message queue drains.
 *
 * Pause and resume are one word, the command: a sequence number and the wanted state, written together
 * so the thread always reads a consistent pair. The thread acknowledges every command it sees with
 * `paused` or `resumed` carrying that number, so the node can tell an answer to its latest command from a
 * stale one, however fast commands follow each other.
 *
 * Requests (weights, snapshots, rebases) are messages with an id, answered with that id. The trainer serves
 * them only between whole steps and never during a checkpoint, so each one sees and changes whole steps.
 * A step limit, set by a snapshot or a rebase, holds training at that step (`held`) until it is raised:
 * the node's rounds use it to train at most H steps on weights it has not yet rebased. Held is not paused.
 */
import type {
  BackendName,
  DatasetName,
  ModelName,
  ProgressPoint,
  SamplesFrame,
  WorkUnit,
} from '../api/contract.js';
import type { Improvement, ScoreRequest } from './scoring.js';
import type { Assignment } from './task.js';
import type { WeightManifest } from './weights.js';

export interface TrainerConfig {
  checkpointPath: string;
  runId: string;
  /** The run's seed: a fresh run's weights are drawn from it, the same on every peer. */
  seed: string;
  model: ModelName;
  dataset: DatasetName;
  /** Preferred backend; absent = best available. */
  backend?: BackendName;
  shard: number;
  shardCount: number;
  batchSize: number;
  /** The step to number from when there is no usable checkpoint (the ledger's last recorded step). */
  firstStep: number;
  sampleIntervalSeconds: number;
  workUnitSeconds: number;
  /** The duty cycle (0–1], from the scheduler: below 1 the thread rests after each step (quiet mode, heat). */
  intensity?: number;
  /** Rows per micro-step, fixed; absent = tuned to the machine (see micro-batch.ts). */
  microBatch?: number;
  /**
   * How long a tuned micro-step should take (absent: MICRO_STEP_TARGET_MS). A pause waits for the micro-step in
   * flight, so they are short; a host that can freeze the trainer mid-step (trainer-link.ts) asks for longer
   * ones, at the micro-batch the machine computes best.
   */
  microStepTargetMs?: number;
  /** Free space a checkpoint must leave on its disk, so that training never fills the user's disk. */
  reserveDiskBytes: number;
  /** Hold at the restored step until the node grants steps (a rebase or snapshot); absent = no step limit. */
  startHeld?: boolean;
  /**
   * Paint only when asked (`paint`: a round's committed model, the same picture on every peer), never from
   * this thread's own weights; absent = paint the local weights every `sampleIntervalSeconds`.
   */
  paintOnRequest?: boolean;
}

/** What a rebase changes, in this order: weights += shift, then the data assignment, then the step limit. */
export interface Rebase {
  /** Added to the weights in float32, element by element; null = unchanged. Transferred. */
  shift: Float32Array | null;
  /** null = unchanged. Batches then number from 0 at the step the rebase lands on. */
  assignment: Assignment | null;
  /** The step to hold at; null = no limit; absent = unchanged. */
  stepLimit?: number | null;
}

/** The weights as one vector in manifest order, and the step they are the weights of. */
export interface WeightsAtStep {
  manifest: WeightManifest;
  values: Float32Array;
  step: number;
}

/** Why training is held: the checkpoint's disk lacks room. */
export interface DiskFull {
  freeBytes: number;
  /** What the next checkpoint needs: its size plus the reserve. */
  neededBytes: number;
}

/** How a pause ended the step in flight (see `trainStepMicro`): dropped to be rerun, or its G update shortened. */
export type EndedEarly = 'dropped' | 'shortened' | null;

/** A finished work unit as the thread reports it; the ledger adds id and session. */
export type UnitRecord = Omit<WorkUnit, 'id'>;

export type ToTrainer =
  | { type: 'init'; config: TrainerConfig; control: SharedArrayBuffer }
  | { type: 'settings'; sampleIntervalSeconds: number; workUnitSeconds: number; intensity: number }
  /** Asks for the task's weights; answered by `weights` with the same id. */
  | { type: 'readWeights'; id: number }
  /** Replaces the task's weights (e.g. with a round's committed model); answered by `wrote`. `values` is transferred. */
  | { type: 'writeWeights'; id: number; values: Float32Array }
  /** Asks for the weights, answered by `weights`, and holds `hold` steps after them (the step limit). */
  | { type: 'snapshot'; id: number; hold: number }
  /** Applies a `Rebase` at once, all or nothing; answered by `wrote`. */
  | ({ type: 'rebase'; id: number } & Rebase)
  /**
   * Paints the model with `values` (a round's committed weights) as a `samples` frame of `round`, leaving the
   * thread's weights as they were; answered by `wrote`. `values` is transferred.
   */
  | { type: 'paint'; id: number; values: Float32Array; round: number }
  /** Scores contributions against a base (see scoring.ts); answered by `scored`. */
  | ({ type: 'score'; id: number } & ScoreRequest);

/** The messages answered by id. */
export type TrainerRequest = Extract<ToTrainer, { id: number }>;

export type FromTrainer =
  | { type: 'ready'; backend: BackendName; step: number; restoredUnit: UnitRecord | null }
  | { type: 'progress'; point: ProgressPoint }
  | { type: 'samples'; frame: SamplesFrame }
  /** Sent only after the checkpoint that contains this unit is durable on disk. */
  | { type: 'unit'; unit: UnitRecord }
  /**
   * Acknowledges command `seq`: no compute runs until a resume. `at`: when the last micro-step ended
   * (performance.timeOrigin + performance.now(), ms).
   */
  | { type: 'paused'; seq: number; step: number; at: number; endedEarly: EndedEarly }
  /** Acknowledges command `seq`: training (or, with the disk full, ready to train as soon as it has room). */
  | { type: 'resumed'; seq: number; step: number }
  /** Training holds at the step limit (sent once per hold): the open unit is being checkpointed. */
  | { type: 'held'; step: number }
  /** The checkpoint's disk is full (training is held, nothing is lost), or has room again (null). */
  | { type: 'disk'; full: DiskFull | null }
  | { type: 'stopped'; step: number }
  /** The answer to `readWeights` and `snapshot`; the buffer of `values` is transferred, not copied. */
  | ({ type: 'weights'; id: number } & WeightsAtStep)
  /**
   * The answer to `writeWeights` and `rebase`, and to a request refused: null, or why (nothing changed,
   * training goes on as before).
   */
  | { type: 'wrote'; id: number; error: string | null }
  /** The answer to `score`: each candidate's improvements in order, or why the request was refused. */
  | { type: 'scored'; id: number; improvements: Improvement[] | null; error: string | null }
  /** Something the node should log; training goes on. */
  | { type: 'warning'; message: string }
  | { type: 'error'; message: string; stack?: string };

/**
 * The same conversation when the trainer thread runs inside a child process (trainer-process.ts): the child
 * owns the shared control buffer, so `init` carries the first command word instead of the buffer, and the
 * pause/resume command and the stop request travel as messages that the child writes into its buffer.
 */
export type ToTrainerProcess =
  | { type: 'init'; config: TrainerConfig; command: number }
  | { type: 'command'; word: number }
  | { type: 'stop' }
  | Exclude<ToTrainer, { type: 'init' }>;

/** The child's answers: the thread's, then `exit` with the thread's exit code as its last message. */
export type FromTrainerProcess = FromTrainer | { type: 'exit'; code: number };

/**
 * In the desktop app only Electron's main may start processes, so the worker asks it for each trainer process
 * (a utilityProcess: Electron's run-as-node fuse is off, so the worker cannot fork the app's binary as Node).
 * Worker → main over `process.parentPort`; `id` names one trainer process for the worker's lifetime.
 */
export type TrainerProcessRequest = { type: 'spawn-trainer'; id: number } | { type: 'kill-trainer'; id: number };

/**
 * Main → worker: the trainer's port (in the message's ports) and its process id (the worker freezes it during a
 * pause, see trainer-link.ts), or that the process has ended.
 */
export type TrainerProcessNotice = { type: 'trainer-port'; id: number; pid?: number } | { type: 'trainer-exit'; id: number; code: number };

/** Int32 slots of the shared control buffer. */
export const CONTROL = {
  /** The latest pause/resume command: see `encodeCommand`. Waiters wait on this slot. */
  COMMAND: 0,
  /** 1 once the node asks the trainer to finish its step, checkpoint and exit. */
  STOP: 1,
  SLOTS: 2,
} as const;

/** Command numbers wrap within 30 bits; they are only ever compared for equality. */
const SEQ_MASK = 0x3fff_ffff;

export interface Command {
  seq: number;
  paused: boolean;
}

export function encodeCommand({ seq, paused }: Command): number {
  return ((seq & SEQ_MASK) << 1) | (paused ? 1 : 0);
}

export function decodeCommand(word: number): Command {
  return { seq: (word >>> 1) & SEQ_MASK, paused: (word & 1) === 1 };
}

export function nextSeq(seq: number): number {
  return (seq + 1) & SEQ_MASK;
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across threads. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
