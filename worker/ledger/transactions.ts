/**
 * The wallet's transactions in the ledger: recorded pending when sent, settled confirmed or failed from the
 * chain's receipt. `follow` settles those still pending (a process that died before the answer left them so).
 */
import type Database from 'better-sqlite3';
import type { WalletTransaction } from '../api/contract/wallet.js';
import { LedgerInputError, checkCount } from './validate.js';

/** A transaction as the ledger keeps it: the control API's record (its contract), one shape for both. */
export type TransactionRecord = WalletTransaction;
export type TransactionStatus = TransactionRecord['status'];

export type Sent = Pick<TransactionRecord, 'hash' | 'chainId' | 'kind' | 'coin' | 'from' | 'to' | 'amountWei' | 'sentAt'>;

/** What a receipt says of a transaction; null while it is not mined. */
export type ReceiptOf = (hash: string) => Promise<{ status: 'confirmed' | 'failed'; block: number; gasUsed: bigint } | null>;

export interface TransactionRecords {
  sent(tx: Sent): void;
  settle(hash: string, outcome: { status: 'confirmed' | 'failed'; block: number; gasUsed: bigint }, at: number): void;
  /** Newest first. */
  list(limit: number): TransactionRecord[];
  get(hash: string): TransactionRecord | null;
  /** Settles every pending transaction the chain has an answer for; returns how many it settled. */
  follow(receiptOf: ReceiptOf, now?: number): Promise<number>;
}

const COLUMNS = `hash, chain_id AS chainId, kind, coin, from_address AS "from", to_address AS "to", amount_wei AS amountWei, status, block, gas_used AS gasUsed, sent_at AS sentAt, settled_at AS settledAt`;
const HASH = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const WEI = /^(0|[1-9][0-9]{0,77})$/;

export function createTransactionRecords(db: Database.Database): TransactionRecords {
  const insert = db.prepare(`INSERT INTO transactions (hash, chain_id, kind, coin, from_address, to_address, amount_wei, sent_at)
    VALUES (@hash, @chainId, @kind, @coin, @from, @to, @amountWei, @sentAt) ON CONFLICT (hash) DO NOTHING`);
  const settle = db.prepare(`UPDATE transactions SET status = ?, block = ?, gas_used = ?, settled_at = max(sent_at, ?) WHERE hash = ? AND status = 'pending'`);
  const rows = db.prepare<[number], TransactionRecord>(`SELECT ${COLUMNS} FROM transactions ORDER BY sent_at DESC, hash LIMIT ?`);
  const one = db.prepare<[string], TransactionRecord>(`SELECT ${COLUMNS} FROM transactions WHERE hash = ?`);
  const pending = db.prepare<[], string>("SELECT hash FROM transactions WHERE status = 'pending' ORDER BY sent_at").pluck();

  const records: TransactionRecords = {
    sent(tx) {
      const hash = tx.hash.toLowerCase();
      if (!HASH.test(hash)) throw new LedgerInputError('transaction: the hash must be 0x and 64 hex digits');
      if (!ADDRESS.test(tx.from) || !ADDRESS.test(tx.to)) throw new LedgerInputError('transaction: from and to must be 0x addresses');
      if (!WEI.test(tx.amountWei)) throw new LedgerInputError('transaction: the amount must be whole wei in decimal');
      checkCount('transaction', 'sentAt', tx.sentAt);
      insert.run({ ...tx, hash });
    },
    settle(hash, { status, block, gasUsed }, at) {
      settle.run(status, block, gasUsed.toString(), at, hash.toLowerCase());
    },
    list(limit) {
      return rows.all(limit);
    },
    get(hash) {
      return one.get(hash.toLowerCase()) ?? null;
    },
    async follow(receiptOf, now = Date.now()) {
      let settled = 0;
      for (const hash of pending.all()) {
        const outcome = await receiptOf(hash);
        if (!outcome) continue;
        records.settle(hash, outcome, now);
        settled++;
      }
      return settled;
    },
  };
  return records;
}
