/**
 * Migration 7: the wallet's transactions (claims and sends), each with its status followed until the chain
 * confirms or fails it. A transaction is recorded as pending before it is waited for, so one sent by a process
 * that died before the answer is still there to follow.
 */
import type { Migration } from '../migrate.js';
import { weiCheck } from './checks.js';

const WEI = weiCheck;

export const migration007: Migration = {
  version: 7,
  name: 'transactions',
  up(db) {
    db.exec(`
      CREATE TABLE transactions (
        hash        TEXT    PRIMARY KEY CHECK (length(hash) = 66),
        chain_id    INTEGER NOT NULL CHECK (chain_id > 0),
        kind        TEXT    NOT NULL CHECK (kind IN ('claim', 'send')),
        coin        TEXT    NOT NULL CHECK (coin IN ('airt', 'gas')),
        from_address TEXT   NOT NULL CHECK (length(from_address) = 42),
        to_address  TEXT    NOT NULL CHECK (length(to_address) = 42),
        amount_wei  TEXT    NOT NULL CHECK (${WEI('amount_wei')}),
        status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'failed')),
        block       INTEGER CHECK (block IS NULL OR block >= 0),
        gas_used    TEXT    CHECK (${WEI('gas_used')}),
        sent_at     INTEGER NOT NULL CHECK (sent_at >= 0),
        settled_at  INTEGER CHECK (settled_at IS NULL OR settled_at >= sent_at)
      ) STRICT;
      CREATE INDEX transactions_pending ON transactions (sent_at) WHERE status = 'pending';
    `);
  },
};
