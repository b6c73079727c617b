/**
 * A data dir's ledger as the commands open it while a node may be writing it: `airtist rewards` reads the
 * reward table read-only; `airtist wallet balance|claim|send|history` reads it and records the wallet's
 * transactions (SQLite's WAL lets a second writer in beside the node). The ledger must exist and hold the
 * schema they need: the node migrates it, a command never does. The run is the given one or the latest.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../cli/usage.js';
import { openConnection } from './connection.js';
import { createRewardRecords, type RewardRecords } from './rewards.js';
import { createTransactionRecords, type TransactionRecords } from './transactions.js';

/** The ledger schemas the commands need: the reward baselines (migration 6), the transactions (7). */
const REWARDS_SCHEMA = 6;
const TRANSACTIONS_SCHEMA = 7;

function open(dataDir: string, schema: number, what: string, db: (path: string) => Database.Database, run?: string) {
  const path = join(dataDir, 'ledger.sqlite');
  if (!existsSync(path)) throw new UsageError(`no ledger in ${dataDir}`);
  const connection = db(path);
  try {
    const version = connection.pragma('user_version', { simple: true }) as number;
    if (version < schema) throw new UsageError(`the ledger in ${dataDir} predates ${what} (schema ${version}); start the node once to upgrade it`);
    const runId = run ?? (connection.prepare('SELECT run_id FROM rounds ORDER BY opened_at DESC LIMIT 1').pluck().get() as string | undefined);
    if (!runId) throw new UsageError(`the ledger in ${dataDir} holds no rounds`);
    return { connection, runId };
  } catch (error) {
    connection.close();
    throw error;
  }
}

export function openRewardsReadOnly(dataDir: string, run?: string): { records: RewardRecords; runId: string; close(): void } {
  const { connection, runId } = open(dataDir, REWARDS_SCHEMA, 'this reward table', (path) => new Database(path, { readonly: true, fileMustExist: true }), run);
  return { records: createRewardRecords(connection), runId, close: () => connection.close() };
}

export function openWalletLedger(dataDir: string): { records: RewardRecords; transactions: TransactionRecords; runId: string; close(): void } {
  const { connection, runId } = open(dataDir, TRANSACTIONS_SCHEMA, 'the wallet\'s transactions', (path) => openConnection(path));
  return { records: createRewardRecords(connection), transactions: createTransactionRecords(connection), runId, close: () => connection.close() };
}
