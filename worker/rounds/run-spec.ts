/**
 * A run is everything peers must agree on to train the same network together; its id is the hash of its
 * canonical encoding, so two peers with the same spec compute the same id without talking.
 */
import { createHash } from 'node:crypto';
import type { DatasetName, ModelName } from '../api/contract.js';

export interface RunSpec {
  /** Bumped when the meaning of a field changes. */
  version: 1;
  model: ModelName;
  dataset: DatasetName;
  shardCount: number;
  batchSize: number;
}

/** JSON with object keys sorted at every level: the same spec always encodes to the same bytes. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hex sha256 of the canonical spec, shortened to 16 bytes: ample against collisions between runs. */
export function runIdOf(spec: RunSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 32);
}
