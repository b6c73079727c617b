/**
 * Migration 2: losses by name. A unit's losses were two columns of a GAN (d_loss, g_loss); they become one
 * JSON object, `{"discriminator": …, "generator": …}` for every unit so far, so that any task's losses fit
 * (a language model's `{"cross_entropy": …}`). Every existing row is kept, with the same values.
 */
import type { Migration } from '../migrate.js';

export const migration002: Migration = {
  version: 2,
  name: 'named-losses',
  up(db) {
    db.exec(`
      ALTER TABLE work_units ADD COLUMN losses TEXT NOT NULL DEFAULT '{}'
        CHECK (json_valid(losses) AND json_type(losses) = 'object');
      UPDATE work_units SET losses = json_object('discriminator', d_loss, 'generator', g_loss);
      ALTER TABLE work_units DROP COLUMN d_loss;
      ALTER TABLE work_units DROP COLUMN g_loss;
    `);
  },
};
