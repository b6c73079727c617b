/**
 * Messages between the node (trainer-host.ts) and the trainer thread (trainer.thread.ts).
 * Pause and stop do not travel as messages: they are flags in a SharedArrayBuffer that the thread reads
 * between steps, so a busy thread reacts within one step, not after its message queue drains.
 */
import type {
  BackendName,
  DatasetName,
  ModelName,
  ProgressPoint,
  SamplesFrame,
  WorkUnit,
} from '../api/contract.js';

export interface TrainerConfig {
  checkpointPath: string;
  runId: string;
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
}

/** A finished work unit as the thread reports it; the ledger adds id and session. */
export type UnitRecord = Omit<WorkUnit, 'id'>;

export type ToTrainer =
  | { type: 'init'; config: TrainerConfig; control: SharedArrayBuffer }
  | { type: 'settings'; sampleIntervalSeconds: number; workUnitSeconds: number };

export type FromTrainer =
  | { type: 'ready'; backend: BackendName; step: number; restoredUnit: UnitRecord | null }
  | { type: 'progress'; point: ProgressPoint }
  | { type: 'samples'; frame: SamplesFrame }
  /** Sent only after the checkpoint that contains this unit is durable on disk. */
  | { type: 'unit'; unit: UnitRecord }
  /** `at`: when the last micro-step ended (performance.timeOrigin + performance.now(), ms). */
  | { type: 'paused'; step: number; at: number }
  | { type: 'resumed'; step: number }
  | { type: 'stopped'; step: number }
  /** Something the node should log; training goes on. */
  | { type: 'warning'; message: string }
  | { type: 'error'; message: string; stack?: string };

/** Int32 slots of the shared control buffer. */
export const CONTROL = {
  /** 1 while the node asks the trainer to pause. */
  PAUSE: 0,
  /** 1 once the node asks the trainer to finish its step, checkpoint and exit. */
  STOP: 1,
  SLOTS: 2,
} as const;

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across threads. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
