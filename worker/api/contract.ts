/**
 * The control API: the one contract between the miner node (worker/) and everything that drives it —
 * the Electron main process, the preload bridge, the renderer and the CLI.
 *
 * Pure TypeScript + zod, no Node or DOM imports: every process imports this file.
 * Params arriving from outside are validated with `paramsSchemas`; results and events are produced by the
 * node itself and are typed only. Errors cross every boundary as a plain `ApiError`.
 */
import { z } from 'zod';

// The wire format and the Electron plumbing constants live in wire.ts (no zod: the preload bundles it).
export * from './wire.js';

export const API_VERSION = 1;

// ---------------------------------------------------------------------------------------------------------
// Domain types

/** Compute backends, best first. `node-gpu` and `node` are the native tfjs-node(-gpu) bindings. */
export const BACKENDS = ['node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const MODELS = ['dcgan', 'mlp-gan'] as const;
export type ModelName = (typeof MODELS)[number];

export const DATASETS = ['mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASETS)[number];

export type NodeState = 'starting' | 'training' | 'paused' | 'stopping' | 'error';

/** Why the node is in its state; the UI shows `reasonText`, tools match on `reason`. */
export type StateReason = 'loading' | 'running' | 'user' | 'settings' | 'disk' | 'shutdown' | 'failure';

export interface StateInfo {
  state: NodeState;
  reason: StateReason;
  /** A sentence for people, e.g. "Paused by you". */
  reasonText: string;
}

export interface WorkTotals {
  units: number;
  steps: number;
  samples: number;
  seconds: number;
}

/** Losses by name, as the run's task reports them: `{ discriminator, generator }`, `{ cross_entropy }`. */
export type Losses = Record<string, number>;

/** A completed piece of training, as recorded in the ledger. */
export interface WorkUnit {
  id: number;
  runId: string;
  shard: number;
  stepStart: number;
  stepEnd: number;
  samples: number;
  seconds: number;
  /** Mean losses over the unit's steps. */
  losses: Losses;
  /** Unix milliseconds. */
  finishedAt: number;
}

export interface ProgressPoint {
  step: number;
  samplesPerSecond: number;
  /** Rows per micro-step: the trainer shrinks it on slow machines so a pause never waits long. */
  microBatch: number;
  losses: Losses;
  /** Unix milliseconds. */
  time: number;
}

/** An 8×8 grid of generated images: "what the network is painting". */
export interface SamplesFrame {
  step: number;
  /** PNG bytes, base64. */
  pngBase64: string;
  width: number;
  height: number;
  /** Unix milliseconds. */
  time: number;
}

export interface Status extends StateInfo {
  apiVersion: number;
  appVersion: string;
  nodeId: string;
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
  work: { today: WorkTotals; total: WorkTotals };
}

export const settingsSchema = z
  .object({
    /** Start the node paused (the user's last Pause survives restarts). */
    startPaused: z.boolean(),
    /** How often the network's paintings are refreshed. */
    sampleIntervalSeconds: z.number().int().min(1).max(600),
    /** Length of one work unit: training is checkpointed and recorded in the ledger at this interval. */
    workUnitSeconds: z.number().int().min(5).max(3600),
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  startPaused: false,
  sampleIntervalSeconds: 4,
  workUnitSeconds: 30,
};

// ---------------------------------------------------------------------------------------------------------
// Methods

const empty = z.object({}).strict();

export const paramsSchemas = {
  status: empty,
  pause: empty,
  resume: empty,
  getSettings: empty,
  setSettings: settingsSchema.partial().strict(),
  workHistory: z
    .object({
      limit: z.number().int().min(1).max(1000).default(50),
      /** Return units with an id below this one (paging backwards). */
      beforeId: z.number().int().positive().optional(),
    })
    .strict(),
  latestSamples: empty,
  progressHistory: empty,
} as const;

export interface MethodResults {
  status: Status;
  pause: StateInfo;
  resume: StateInfo;
  getSettings: Settings;
  setSettings: Settings;
  workHistory: { units: WorkUnit[]; today: WorkTotals; total: WorkTotals };
  latestSamples: SamplesFrame | null;
  progressHistory: ProgressPoint[];
}

export type Method = keyof typeof paramsSchemas;
export const METHODS = Object.keys(paramsSchemas) as Method[];
/** What a caller passes (defaults may be omitted). */
export type Params<M extends Method> = z.input<(typeof paramsSchemas)[M]>;
/** What a handler receives (validated, defaults applied). */
export type ParsedParams<M extends Method> = z.output<(typeof paramsSchemas)[M]>;
export type Result<M extends Method> = MethodResults[M];

// ---------------------------------------------------------------------------------------------------------
// Events pushed by the node

export interface Events {
  progress: ProgressPoint;
  samples: SamplesFrame;
  state: StateInfo;
  work: WorkUnit;
}
export type EventName = keyof Events;

/** The one interface the renderer (and any other client) programs against, whatever the transport. */
export interface ApiClient {
  call<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void;
  close(): void;
}
