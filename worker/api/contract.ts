/**
 * The control API: the one contract between the miner node (worker/) and everything that drives it —
 * the Electron main process, the preload bridge, the renderer and the CLI.
 *
 * Pure TypeScript + zod, no Node or DOM imports: every process imports this file.
 * Params arriving from outside are validated with `paramsSchemas`; results and events are produced by the
 * node itself and are typed only. Errors cross every boundary as a plain `ApiError`.
 */
import { z } from 'zod';

// The wire format and the Electron plumbing constants live in wire.ts (no zod: the preload bundles it).
export * from './wire.js';

export const API_VERSION = 1;

// The domain types, one module per domain; this file stays the one contract every process imports.
export * from './contract/earnings.js';
export * from './contract/network.js';
export * from './contract/node.js';
export * from './contract/settings.js';
export * from './contract/work.js';
export * from './contract/wallet.js';
import type { Earnings } from './contract/earnings.js';
import type { NetworkStatus, RoundRecord } from './contract/network.js';
import type { DiagnosticsExport, StateInfo, Status } from './contract/node.js';
import { settingsSchema, type Settings } from './contract/settings.js';
import type { ProgressPoint, SamplesFrame, WorkTotals, WorkUnit } from './contract/work.js';
import { walletParams, type WalletBalances, type WalletInfo, type WalletTransaction } from './contract/wallet.js';

// ---------------------------------------------------------------------------------------------------------
// Methods

const empty = z.object({}).strict();

export const paramsSchemas = {
  status: empty,
  pause: empty,
  /** Pauses for a while ("for 1 hour"), whatever the schedule; Resume ends it early. */
  pauseFor: z.object({ minutes: z.number().int().min(1).max(7 * 24 * 60) }).strict(),
  resume: empty,
  /** "Finish the round, then pause": trains until this round's contribution is sent, then pauses. */
  pauseAfterRound: empty,
  /** What the desktop app hears from the OS, for the scheduler: each field only if the OS tells it. */
  reportSignals: z
    .object({
      idleSeconds: z.number().min(0).max(1e9).optional(),
      screenLocked: z.boolean().optional(),
      onBattery: z.boolean().optional(),
      suspended: z.boolean().optional(),
      fullscreen: z.boolean().optional(),
    })
    .strict(),
  getSettings: empty,
  setSettings: settingsSchema.partial().strict(),
  workHistory: z
    .object({
      limit: z.number().int().min(1).max(1000).default(50),
      /** Return units with an id below this one (paging backwards). */
      beforeId: z.number().int().positive().optional(),
    })
    .strict(),
  latestSamples: empty,
  progressHistory: empty,
  network: empty,
  roundHistory: z.object({ limit: z.number().int().min(1).max(1000).default(50) }).strict(),
  earnings: z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
  walletStatus: empty,
  walletCreate: walletParams.walletCreate,
  walletImport: walletParams.walletImport,
  walletUnlock: walletParams.walletUnlock,
  walletLock: empty,
  /** Stops unlocking the wallet at start: the sealed password is deleted. */
  walletForgetUnlock: empty,
  walletExport: walletParams.walletExport,
  walletBalances: empty,
  walletClaim: empty,
  walletSend: walletParams.walletSend,
  walletHistory: walletParams.walletHistory,
  /** Writes a diagnostics zip (logs and settings, secrets taken out) into the data dir and says where. */
  exportDiagnostics: empty,
} as const;

export interface MethodResults {
  status: Status;
  pause: StateInfo;
  pauseFor: StateInfo;
  resume: StateInfo;
  pauseAfterRound: StateInfo;
  reportSignals: StateInfo;
  getSettings: Settings;
  setSettings: Settings;
  workHistory: { units: WorkUnit[]; today: WorkTotals; total: WorkTotals };
  latestSamples: SamplesFrame | null;
  progressHistory: ProgressPoint[];
  network: NetworkStatus;
  roundHistory: { rounds: RoundRecord[] };
  earnings: Earnings;
  walletStatus: WalletInfo;
  /** The new wallet, unlocked; its mnemonic comes only from walletExport (the backup step asks for it). */
  walletCreate: WalletInfo;
  walletImport: WalletInfo;
  walletUnlock: WalletInfo;
  walletLock: WalletInfo;
  walletForgetUnlock: WalletInfo;
  walletExport: { mnemonic: string };
  walletBalances: WalletBalances;
  /** Once the transaction is sent (pending); `transaction` events follow it until confirmed or failed. */
  walletClaim: WalletTransaction;
  walletSend: WalletTransaction;
  walletHistory: { transactions: WalletTransaction[] };
  exportDiagnostics: DiagnosticsExport;
}

export type Method = keyof typeof paramsSchemas;
export const METHODS = Object.keys(paramsSchemas) as Method[];
/** What a caller passes (defaults may be omitted). */
export type Params<M extends Method> = z.input<(typeof paramsSchemas)[M]>;
/** What a handler receives (validated, defaults applied). */
export type ParsedParams<M extends Method> = z.output<(typeof paramsSchemas)[M]>;
export type Result<M extends Method> = MethodResults[M];

// ---------------------------------------------------------------------------------------------------------
// Events pushed by the node

export interface Events {
  progress: ProgressPoint;
  samples: SamplesFrame;
  state: StateInfo;
  work: WorkUnit;
  network: NetworkStatus;
  wallet: WalletInfo;
  transaction: WalletTransaction;
  /** The settings changed (from any client): the desktop app's main process applies its own. */
  settings: Settings;
}
export type EventName = keyof Events;

/** The one interface the renderer (and any other client) programs against, whatever the transport. */
export interface ApiClient {
  call<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>>;
  on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void;
  close(): void;
}
