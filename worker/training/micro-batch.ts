/**
 * How many rows a micro-step takes. A pause waits for the micro-step in flight, so micro-steps should be
 * short; but each one has a fixed cost (kernel launches, tape bookkeeping, the optimizer's per-variable ops),
 * so very small ones waste the machine. Pure.
 *
 * The cost model is `time(rows) = fixed + perRow · rows`. Its shape — the fixed cost expressed in rows,
 * `fixed / perRow` — belongs to the model and the backend and hardly changes when another program loads the
 * machine: both terms slow down together. So the tuner learns that shape whenever it sees two sizes, scales
 * it by the latest measurement, and picks the largest micro-batch whose predicted time meets the target.
 * It never goes below the size where the fixed cost would eat more than a third of the time (throughput
 * falls off a cliff below it), and it grows back as soon as the load goes away.
 */

/** How long a micro-step should take on average, where the efficiency floor allows it. */
export const MICRO_STEP_TARGET_MS = 50;
/** Below this share of useful (per-row) time a smaller micro-batch costs more throughput than it saves latency. */
const MIN_EFFICIENCY = 2 / 3;
/** Growing needs the prediction this far under the target, so noise does not flip the size back and forth. */
const GROW_MARGIN = 0.85;
/** How much a new estimate of the fixed cost moves the learned one (measurements are noisy). */
const LEARN_RATE = 0.5;

export interface MicroBatchTunerOptions {
  batchSize: number;
  /** The model's floor (batch statistics need rows). */
  min: number;
  targetMs?: number;
  /** A prior for the fixed cost in rows, before two sizes were measured (0: assume proportional cost). */
  fixedRows?: number;
}

export class MicroBatchTuner {
  private readonly divisors: number[];
  private readonly targetMs: number;
  /** The learned fixed cost per micro-step, in rows' worth of time; null until two sizes were measured. */
  private fixedRows: number | null;
  private last: { rows: number; ms: number } | null = null;
  current: number;

  constructor({ batchSize, min, targetMs = MICRO_STEP_TARGET_MS, fixedRows }: MicroBatchTunerOptions) {
    this.divisors = [];
    for (let d = 1; d <= batchSize; d++) if (batchSize % d === 0 && d >= Math.min(min, batchSize)) this.divisors.push(d);
    this.targetMs = targetMs;
    this.fixedRows = fixedRows ?? null;
    this.current = batchSize;
  }

  /** The fixed cost per micro-step as the tuner has learned it, in rows (null: not yet measured). */
  get learnedFixedRows(): number | null {
    return this.fixedRows;
  }

  /** The smallest micro-batch the tuner will use, given what it knows of the fixed cost. */
  get floor(): number {
    const efficient = ((this.fixedRows ?? 0) * MIN_EFFICIENCY) / (1 - MIN_EFFICIENCY);
    return this.divisors.find((d) => d >= efficient) ?? this.divisors.at(-1)!;
  }

  /** Feeds the mean micro-step time of the last step (run at `this.current` rows); returns the next size. */
  observe(meanMs: number): number {
    if (!(meanMs > 0) || !Number.isFinite(meanMs)) return this.current;
    const rows = this.current;
    this.learn(rows, meanMs);
    this.last = { rows, ms: meanMs };
    const fixed = this.fixedRows ?? 0;
    const perRowMs = meanMs / (fixed + rows);
    const predict = (d: number) => perRowMs * (fixed + d);
    const largestWithin = (limitMs: number) => this.divisors.filter((d) => predict(d) <= limitMs).at(-1) ?? this.divisors[0]!;
    const fits = largestWithin(this.targetMs);
    // Shrink at once; grow only when the larger size is predicted well inside the target.
    const next = fits <= rows ? fits : Math.max(rows, largestWithin(this.targetMs * GROW_MARGIN));
    this.current = Math.max(next, this.floor);
    return this.current;
  }

  /** Two consecutive steps at different sizes give the line's shape: fixed = rows at which both costs are equal. */
  private learn(rows: number, ms: number): void {
    const previous = this.last;
    if (!previous || previous.rows === rows) return;
    const perRow = (ms - previous.ms) / (rows - previous.rows);
    if (!(perRow > 0)) return; // noise swamped the difference: learn nothing from this pair
    // Capped so that the floor stays below the batch: the tuner must keep two sizes to learn from.
    const fixed = Math.min(Math.max(0, ms / perRow - rows), this.divisors.at(-1)! / 4);
    this.fixedRows = this.fixedRows === null ? fixed : this.fixedRows + LEARN_RATE * (fixed - this.fixedRows);
  }
}
