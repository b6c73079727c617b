/** Training work: progress as it happens, units as the ledger records them, and the network's paintings. Pure types. */
export interface WorkTotals {
  units: number;
  steps: number;
  samples: number;
  seconds: number;
}

/** Losses by name, as the run's task reports them: `{ discriminator, generator }`, `{ cross_entropy }`. */
export type Losses = Record<string, number>;
/** What a loss may be called (a task's own name for it) and how many a task may report, wherever losses arrive. */
export const LOSS_NAME = /^[a-z][a-z0-9_]{0,31}$/;
export const MAX_LOSSES = 16;

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
  /** The round whose committed model painted it (every peer shows the same); absent: this node's own weights. */
  round?: number;
  /** PNG bytes, base64. */
  pngBase64: string;
  width: number;
  height: number;
  /** Unix milliseconds. */
  time: number;
}
