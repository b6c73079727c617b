/** The user's settings, validated against a versioned zod schema wherever they arrive from outside. */
import { z } from 'zod';

export const settingsSchema = z
  .object({
    /** Start the node paused (the user's last Pause survives restarts). */
    startPaused: z.boolean(),
    /** How often the network's paintings are refreshed. */
    sampleIntervalSeconds: z.number().int().min(1).max(600),
    /** Length of one work unit: training is checkpointed and recorded in the ledger at this interval. */
    workUnitSeconds: z.number().int().min(5).max(3600),
    /** The wallet locks itself after this many minutes unused. */
    walletLockMinutes: z.number().int().min(1).max(1440),
    /** The first-run wallet offer was answered: a wallet was made, or the user chose to set it up later. */
    walletOffered: z.boolean(),
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  startPaused: false,
  sampleIntervalSeconds: 4,
  workUnitSeconds: 30,
  walletLockMinutes: 15,
  walletOffered: false,
};
