/**
 * Messages between the node (trainer-host.ts) and the trainer thread (trainer.thread.ts).
 * Pause and stop do not travel as messages: they are words in a SharedArrayBuffer that the thread reads
 * between micro-steps, so a busy thread reacts within one micro-step, not after its message queue drains.
 *
 * Pause and resume are one word, the command: a sequence number and the wanted state, written together
 * so the thread always reads a consistent pair. The thread acknowledges every command it sees with
 * `paused` or `resumed` carrying that number, so the node can tell an answer to its latest command from a
 * stale one, however fast commands follow each other.
 */
import type {
  BackendName,
  DatasetName,
  ModelName,
  ProgressPoint,
  SamplesFrame,
  WorkUnit,
} from '../api/contract.js';
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
  /** Rows per micro-step, fixed; absent = tuned to the machine (see micro-batch.ts). */
  microBatch?: number;
  /** Free space a checkpoint must leave on its disk, so that training never fills the user's disk. */
  reserveDiskBytes: number;
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
  | { type: 'settings'; sampleIntervalSeconds: number; workUnitSeconds: number }
  /** Asks for the task's weights; answered by `weights` with the same id. */
  | { type: 'readWeights'; id: number }
  /** Replaces the task's weights (e.g. with a round's committed model); answered by `wrote`. `values` is transferred. */
  | { type: 'writeWeights'; id: number; values: Float32Array };

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
  /** The checkpoint's disk is full (training is held, nothing is lost), or has room again (null). */
  | { type: 'disk'; full: DiskFull | null }
  | { type: 'stopped'; step: number }
  /** The weights as one vector in manifest order; its buffer is transferred, not copied. */
  | { type: 'weights'; id: number; manifest: WeightManifest; values: Float32Array }
  /** The answer to `writeWeights`: null, or why the weights were refused (training goes on with the old ones). */
  | { type: 'wrote'; id: number; error: string | null }
  /** Something the node should log; training goes on. */
  | { type: 'warning'; message: string }
  | { type: 'error'; message: string; stack?: string };

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
