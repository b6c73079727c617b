/**
 * Migration 5: an index of this node's own contributions. The Earnings page reads them on every visit; the
 * table also holds every other peer's contribution to every round (tens of thousands a day on a large
 * network), which a scan would read too. Partial: it holds only the rows with own = 1.
 */
import type { Migration } from '../migrate.js';

export const migration005: Migration = {
  version: 5,
  name: 'own-contributions',
  up(db) {
    db.exec('CREATE INDEX contributions_own ON contributions (run_id, round) WHERE own = 1;');
  },
};
