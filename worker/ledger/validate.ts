/**
 * Input checks for the ledger's writes. They run before SQLite sees a value so that a bad value fails with a
 * sentence naming the field, rather than with "CHECK constraint failed" (or, for NaN, a silent NULL).
 */
import {
  BACKENDS,
  DATASETS,
  LOSS_NAME,
  MAX_LOSSES,
  MODELS,
  type BackendName,
  type DatasetName,
  type ModelName,
  type WorkUnit,
} from '../api/contract.js';

/** A caller passed a value the ledger will not store. Nothing was written. */
export class LedgerInputError extends Error {
  override name = 'LedgerInputError';
}

export type WorkUnitInput = Omit<WorkUnit, 'id'> & { sessionId: number | null };

const MAX_ID_LENGTH = 256;

function fail(what: string, field: string, rule: string, value: unknown): never {
  throw new LedgerInputError(`${what}: ${field} must be ${rule}, got ${String(value)}`);
}

export function checkCount(what: string, field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(what, field, 'a non-negative integer', value);
  }
}

export function checkId(what: string, field: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    fail(what, field, `a non-empty string of at most ${MAX_ID_LENGTH} characters`, value);
  }
}

function checkOneOf(what: string, field: string, value: unknown, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) fail(what, field, `one of ${allowed.join(', ')}`, value);
}


export function checkWorkUnit(u: WorkUnitInput): void {
  const what = 'work unit';
  checkId(what, 'runId', u.runId);
  if (u.sessionId !== null && (!Number.isSafeInteger(u.sessionId) || u.sessionId <= 0)) {
    fail(what, 'sessionId', 'a positive integer or null', u.sessionId);
  }
  checkCount(what, 'shard', u.shard);
  checkCount(what, 'stepStart', u.stepStart);
  checkCount(what, 'stepEnd', u.stepEnd);
  if (u.stepEnd <= u.stepStart) fail(what, 'stepEnd', `greater than stepStart (${u.stepStart})`, u.stepEnd);
  checkCount(what, 'samples', u.samples);
  if (typeof u.seconds !== 'number' || !Number.isFinite(u.seconds) || u.seconds < 0) {
    fail(what, 'seconds', 'a finite non-negative number', u.seconds);
  }
  // Losses are measurements, not amounts: finite is required (a NaN loss means training diverged, and
  // JSON has no NaN), but a sign is not — some objectives (e.g. Wasserstein) go negative.
  const losses: unknown = u.losses;
  if (typeof losses !== 'object' || losses === null || Array.isArray(losses)) fail(what, 'losses', 'an object of named losses', losses);
  const entries = Object.entries(losses as object);
  if (entries.length === 0 || entries.length > MAX_LOSSES) fail(what, 'losses', `1 to ${MAX_LOSSES} named losses`, entries.length);
  for (const [name, value] of entries) {
    if (!LOSS_NAME.test(name)) fail(what, 'losses', 'names like "generator" or "cross_entropy"', name);
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(what, `losses.${name}`, 'a finite number', value);
  }
  checkCount(what, 'finishedAt', u.finishedAt);
}

export interface SessionStart {
  runId: string;
  model: ModelName;
  dataset: DatasetName;
  backend: BackendName;
  nodeId: string;
  /** Unix milliseconds; defaults to now. */
  startedAt?: number;
}

export function checkSessionStart(s: SessionStart): void {
  const what = 'session';
  checkId(what, 'runId', s.runId);
  checkOneOf(what, 'model', s.model, MODELS);
  checkOneOf(what, 'dataset', s.dataset, DATASETS);
  checkOneOf(what, 'backend', s.backend, BACKENDS);
  checkId(what, 'nodeId', s.nodeId);
  if (s.startedAt !== undefined) checkCount(what, 'startedAt', s.startedAt);
}
