/**
 * A data dir's reward table, opened read-only for the commands that read it while a node may be writing it
 * (`airtist rewards`, `airtist wallet balance|claim`): the ledger must exist and hold the schema with the
 * reward baselines; the run is the given one or the one with the latest round.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../cli/usage.js';
import { createRewardRecords, type RewardRecords } from './rewards.js';

/** The ledger schema that holds rewards with the baselines of synced totals (migration 6). */
const REWARDS_SCHEMA = 6;

export function openRewardsReadOnly(dataDir: string, run?: string): { records: RewardRecords; runId: string; close(): void } {
  const path = join(dataDir, 'ledger.sqlite');
  if (!existsSync(path)) throw new UsageError(`no ledger in ${dataDir}`);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version < REWARDS_SCHEMA) throw new UsageError(`the ledger in ${dataDir} predates this reward table (schema ${version}); start the node once to upgrade it`);
    const runId = run ?? (db.prepare('SELECT run_id FROM rounds ORDER BY opened_at DESC LIMIT 1').pluck().get() as string | undefined);
    if (!runId) throw new UsageError(`the ledger in ${dataDir} holds no rounds`);
    return { records: createRewardRecords(db), runId, close: () => db.close() };
  } catch (error) {
    db.close();
    throw error;
  }
}
