/** Every ledger migration, in order. Append new ones; never edit or reorder one that has shipped. */
import type { Migration } from '../migrate.js';
import { migration001 } from './001-initial.js';
import { migration002 } from './002-named-losses.js';
import { migration003 } from './003-rounds.js';
import { migration004 } from './004-rewards.js';
import { migration005 } from './005-own-contributions.js';
import { migration006 } from './006-reward-baselines.js';
import { migration007 } from './007-transactions.js';
import { migration008 } from './008-signed-commits.js';

export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008];

/** The schema version this build writes. */
export const LEDGER_SCHEMA_VERSION = MIGRATIONS.length;
