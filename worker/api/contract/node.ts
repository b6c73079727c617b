/** The node: what it runs on, what it trains, and the state it is in. Pure types. */
import type { Losses, WorkTotals } from './work.js';

/** Compute backends, best first. `node-gpu` and `node` are the native tfjs-node(-gpu) bindings. */
export const BACKENDS = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const MODELS = ['dcgan', 'mlp-gan', 'tiny-gan'] as const;
export type ModelName = (typeof MODELS)[number];

export const DATASETS = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASETS)[number];

export type NodeState = 'starting' | 'training' | 'paused' | 'stopping' | 'error';

/** Why the node is in its state; the UI shows `reasonText`, tools match on `reason`. */
export type StateReason = 'loading' | 'running' | 'user' | 'settings' | 'schedule' | 'disk' | 'shutdown' | 'failure';

/** What the scheduler decided from (scheduler/scheduler.ts): `running` trains, the rest hold the trainer. */
export type ScheduleReason = 'suspended' | 'paused-until' | 'battery' | 'hot' | 'fullscreen' | 'in-use' | 'busy' | 'outside-schedule' | 'running';

/**
 * The reason as data, with what its sentence needs: a UI words it in its own language from this (the
 * dashboard's catalog, renderer/src/lib/strings.ts); `reasonText` is the node's English, for logs and the CLI.
 */
export type StateCause =
  | { kind: 'loading' | 'running' | 'paused-by-user' | 'start-paused' | 'shutdown' | 'failure' }
  /** "Finish the round, then pause": training on until `round`'s contribution is sent. */
  | { kind: 'finishing-round'; round: number }
  /** Held by the schedule; `until` (ms since the epoch) for a pause for a while, `temperatureC` when hot. */
  | { kind: 'schedule'; reason: ScheduleReason; until: number | null; temperatureC: number | null }
  /** No room on the disk: for a checkpoint (`neededBytes` set), or for the ledger to record work (null). */
  | { kind: 'disk-full'; freeBytes: number; neededBytes: number | null }
  /** The ledger fails to record for another reason; the node retries. */
  | { kind: 'ledger-error'; message: string };

export interface StateInfo {
  state: NodeState;
  reason: StateReason;
  cause: StateCause;
  /** A sentence for people, e.g. "Paused by you". */
  reasonText: string;
}

/** Everything `status` reports: the state, what the node trains, how fast, and the work so far. */
export interface Status extends StateInfo {
  apiVersion: number;
  appVersion: string;
  nodeId: string;
  /** Where this node keeps its ledger, wallet, checkpoints and keys. */
  dataDir: string;
  backend: BackendName;
  model: ModelName;
  dataset: DatasetName;
  runId: string;
  shard: number;
  shardCount: number;
  batchSize: number;
  step: number;
  samplesPerSecond: number;
  /** Recent losses; null before the first progress report. */
  losses: Losses | null;
  uptimeSeconds: number;
  /** Recorded work (today, all time), and what was trained since the last recorded unit (not in either yet). */
  work: { today: WorkTotals; total: WorkTotals; inProgress: { steps: number; samples: number } };
}

/** A diagnostics bundle the node wrote (see worker/diagnostics/bundle.ts). */
export interface DiagnosticsExport {
  /** The zip's full path, in the data dir's diagnostics folder. */
  path: string;
  bytes: number;
  /** The files inside it. */
  files: string[];
}
