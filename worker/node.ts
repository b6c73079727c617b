/**
 * The miner node's composition root: data dir, ledger, trainer thread and the control API handlers.
 * Transports (HTTP/WebSocket for the headless node, MessagePorts under Electron) are attached by the entry
 * points; the node itself only knows the API hub.
 */
import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import {
  API_VERSION,
  type BackendName,
  type DatasetName,
  type ModelName,
  type ProgressPoint,
  type SamplesFrame,
  type Settings,
  type StateInfo,
  type Status,
  type WorkTotals,
} from './api/contract.js';
import type { Handlers } from './api/dispatch.js';
import { createApiHub, type ApiHub } from './api/hub.js';
import { ensureDataDir, lockDataDir, readOrCreateSecret } from './data-dir.js';
import { appVersion } from './paths.js';
import { openLedger, startOfLocalDay, type Ledger } from './ledger/ledger.js';
import { createWorkRecorder, type LedgerBlock } from './ledger/work-recorder.js';
import { runIdOf, type RunSpec } from './rounds/run-spec.js';
import { assignShard } from './training/data/shards.js';
import { defaultModelFor, getModel } from './training/models/registry.js';
import { probeBestBackend } from './training/backend-probe.js';
import type { DiskFull, TrainerConfig } from './training/protocol.js';
import type { RestartBackoffPolicy } from './restart-backoff.js';
import { SupervisedTrainer } from './training/supervised-trainer.js';
import type { TrainerReady } from './training/trainer-host.js';

export interface NodeOptions {
  dataDir: string;
  model?: ModelName;
  dataset?: DatasetName;
  backend?: BackendName;
  /** Overrides the model's default batch size. */
  batchSize?: number;
  /** How a failed trainer thread is restarted (tests shorten the delays). */
  restartPolicy?: RestartBackoffPolicy;
  /** Free space training must leave on the data dir's disk (default 100 MB). */
  reserveDiskBytes?: number;
  log?: (line: string) => void;
}

export const SHARD_COUNT = 8;
const PROGRESS_HISTORY = 600;
export const DEFAULT_RESERVE_DISK_BYTES = 100e6;

const REASON_TEXT: Record<Exclude<StateInfo['reason'], 'disk'>, string> = {
  loading: 'Loading the model and data',
  running: 'Training on your shard',
  user: 'Paused by you',
  settings: 'Paused: start paused is on',
  shutdown: 'Shutting down',
  failure: 'Training stopped after an error',
};

const megabytes = (bytes: number) => `${Math.floor(bytes / 1e6)} MB`;

/** The sentence for a node held by its disk; training resumes by itself when there is room again. */
function diskText(checkpoint: DiskFull | null, ledger: LedgerBlock | null): string {
  if (ledger?.kind === 'error') return `Paused: the ledger cannot record work (${ledger.message}); retrying`;
  if (ledger) return `Paused: the disk is full (${megabytes(ledger.freeBytes)} free; the ledger needs room to record work)`;
  return `Paused: the disk is full (${megabytes(checkpoint!.freeBytes)} free, a checkpoint needs ${megabytes(checkpoint!.neededBytes)})`;
}

export interface MinerNode {
  readonly hub: ApiHub;
  status(): Status;
  /** Pauses training; resolves with the time the last micro-step ended once the trainer has stopped. */
  pause(): Promise<number>;
  /** Resumes training; resolves once the trainer confirmed. */
  resume(): Promise<void>;
  /** Checkpoints, records the last unit, closes the ledger. Idempotent. */
  stop(): Promise<void>;
}

export async function startNode(options: NodeOptions): Promise<MinerNode> {
  const log = options.log ?? (() => {});
  const dataDir = ensureDataDir(options.dataDir);
  const unlock = lockDataDir(dataDir);
  const nodeId = readOrCreateSecret(dataDir, 'node-id', 16);
  let ledger: Ledger;
  try {
    ledger = openLedger(join(dataDir, 'ledger.sqlite'));
  } catch (error) {
    unlock();
    throw error;
  }
  try {
    ledger.closeDanglingSessions(Date.now());
  } catch (error) {
    log(`ledger: closing sessions a killed node left open failed: ${(error as Error).message}`);
  }
  let settings: Settings = ledger.getSettings();

  // The default model suits the backend the trainer thread will get (dcgan needs native speed).
  const model = options.model ?? defaultModelFor(options.backend ?? probeBestBackend());
  const dataset = options.dataset ?? 'mnist';
  const batchSize = options.batchSize ?? getModel(model).defaultBatchSize;
  const spec: RunSpec = { version: 1, model, dataset, shardCount: SHARD_COUNT, batchSize };
  const runId = runIdOf(spec);
  const shard = assignShard(runId, 0, nodeId, SHARD_COUNT);
  const startedAt = Date.now();

  let step = 0;
  let backend: BackendName = options.backend ?? 'cpu';
  let latestSamples: SamplesFrame | null = null;
  const progress: ProgressPoint[] = [];
  let sessionId: number | null = null;

  // The state is derived from facts, never set by a call: it always shows what the trainer really does.
  /** The user's last call (or the start-paused setting), and which of the two it was. */
  let userPaused = settings.startPaused;
  let pausedBy: 'user' | 'settings' = settings.startPaused ? 'settings' : 'user';
  /** What the trainer last confirmed. */
  let trainerPaused = settings.startPaused;
  let checkpointDisk: DiskFull | null = null;
  let ledgerBlock: LedgerBlock | null = null;
  let phase: 'starting' | 'running' | 'failed' | 'stopping' = 'starting';

  const deriveState = (): StateInfo => {
    const info = (state: StateInfo['state'], reason: StateInfo['reason'], text?: string): StateInfo => ({
      state,
      reason,
      reasonText: text ?? REASON_TEXT[reason as Exclude<StateInfo['reason'], 'disk'>],
    });
    if (phase === 'starting') return info('starting', 'loading');
    if (phase === 'stopping') return info('stopping', 'shutdown');
    if (phase === 'failed') return info('error', 'failure');
    const heldByDisk = trainerPaused ? ledgerBlock !== null && !userPaused : checkpointDisk !== null;
    if (heldByDisk) return info('paused', 'disk', diskText(checkpointDisk, ledgerBlock));
    return trainerPaused ? info('paused', pausedBy) : info('training', 'running');
  };
  let state = deriveState();
  const hub = createApiHub(handlers(), log);
  const refreshState = () => {
    const next = deriveState();
    if (next.state === state.state && next.reason === state.reason && next.reasonText === state.reasonText) return;
    state = next;
    if (next.reason === 'disk') log(next.reasonText);
    hub.publish('state', state);
  };

  // All-time totals scan the whole ledger (≈0.2 s at a million units): read once, then kept up to date here.
  let allTime: WorkTotals = ledger.totals();
  const recorder = createWorkRecorder({
    ledger,
    recorded(unit) {
      allTime = {
        units: allTime.units + 1,
        steps: allTime.steps + (unit.stepEnd - unit.stepStart),
        samples: allTime.samples + unit.samples,
        seconds: allTime.seconds + unit.seconds,
      };
      hub.publish('work', unit);
    },
    blocked(block) {
      ledgerBlock = block;
      // Hold training while the ledger cannot record it, so no unit waits in memory for long.
      void applyPause();
      refreshState();
    },
    freeBytes: () => {
      const fs = statfsSync(dataDir);
      return fs.bavail * fs.bsize;
    },
  });
  const recordUnit = (unit: Parameters<Ledger['recordWorkUnit']>[0]) => recorder.record(unit);

  const checkpointDir = join(dataDir, 'checkpoints');
  const trainerConfig = (): TrainerConfig => ({
    checkpointPath: join(ensureDataDir(checkpointDir), `${runId}.ckpt`),
    runId,
    model,
    dataset,
    ...(options.backend ? { backend: options.backend } : {}),
    shard,
    shardCount: SHARD_COUNT,
    batchSize,
    // Without a usable checkpoint, number steps on from the ledger: a unit is unique per (run, first step).
    firstStep: ledger.lastUnit(runId)?.stepEnd ?? 0,
    sampleIntervalSeconds: settings.sampleIntervalSeconds,
    workUnitSeconds: settings.workUnitSeconds,
    reserveDiskBytes: options.reserveDiskBytes ?? DEFAULT_RESERVE_DISK_BYTES,
  });
  const adopt = (ready: TrainerReady) => {
    backend = ready.backend;
    step = ready.step;
    // A crash between the checkpoint and the ledger write leaves the unit only in the checkpoint: replay it.
    // The ledger ignores a unit it already has, so this is exactly-once.
    if (ready.restoredUnit) recordUnit({ ...ready.restoredUnit, sessionId: null });
  };

  const started = await SupervisedTrainer.start(
    trainerConfig,
    {
      progress(point) {
        step = point.step;
        progress.push(point);
        if (progress.length > PROGRESS_HISTORY) progress.splice(0, progress.length - PROGRESS_HISTORY);
        hub.publish('progress', point);
      },
      samples(frame) {
        latestSamples = frame;
        hub.publish('samples', frame);
      },
      unit(unit) {
        step = Math.max(step, unit.stepEnd);
        recordUnit({ ...unit, sessionId });
      },
      paused() {
        trainerPaused = true;
        refreshState();
      },
      resumed() {
        trainerPaused = false;
        refreshState();
      },
      disk(full) {
        checkpointDisk = full;
        refreshState();
      },
      warning(message) {
        log(`trainer: ${message}`);
      },
      failed(message) {
        log(`trainer failed, restarting it shortly: ${message}`);
        if (phase !== 'stopping') phase = 'failed';
        checkpointDisk = null;
        refreshState();
      },
      restarted(ready) {
        adopt(ready);
        log(`trainer restarted at step ${ready.step}`);
        if (phase === 'failed') phase = 'running';
        trainerPaused = trainer.isPaused; // until the new thread confirms its first command
        refreshState();
      },
    },
    settings.startPaused,
    options.restartPolicy,
  ).catch((error: unknown) => {
    recorder.close();
    ledger.close(); // nothing to train: leave the ledger as cleanly closed as a normal stop
    unlock();
    throw error;
  });
  const { trainer, ready } = started;
  adopt(ready);
  sessionId = attempt('starting the session', () => ledger.startSession({ runId, model, dataset, backend, nodeId, startedAt })) ?? null;
  phase = 'running';
  refreshState();
  log(`node ${nodeId.slice(0, 8)}: ${model} on ${dataset} shard ${shard}/${SHARD_COUNT}, backend ${backend}, step ${step}`);

  function status(): Status {
    const last = progress.at(-1);
    return {
      ...state,
      apiVersion: API_VERSION,
      appVersion,
      nodeId,
      backend,
      model,
      dataset,
      runId,
      shard,
      shardCount: SHARD_COUNT,
      batchSize,
      step,
      samplesPerSecond: state.state === 'training' ? (last?.samplesPerSecond ?? 0) : 0,
      losses: last?.losses ?? null,
      uptimeSeconds: (Date.now() - startedAt) / 1000,
      work: { today: ledger.totals(startOfLocalDay(Date.now())), total: allTime },
    };
  }

  /** Tells the trainer what the user and the ledger want; resolves once it confirmed (see TrainerHost). */
  function applyPause(): Promise<unknown> {
    return userPaused || ledgerBlock !== null ? trainer.pause() : trainer.resume();
  }

  async function pause(): Promise<number> {
    userPaused = true;
    pausedBy = 'user';
    return (await applyPause()) as number;
  }

  async function resume(): Promise<void> {
    if (phase === 'stopping') return;
    userPaused = false;
    await applyPause();
  }

  /** Runs a ledger write whose failure must not stop the node (a full disk): logged, and undefined. */
  function attempt<T>(what: string, write: () => T): T | undefined {
    try {
      return write();
    } catch (error) {
      log(`ledger: ${what} failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  function handlers(): Handlers {
    return {
      status: () => status(),
      pause: async () => {
        await pause();
        return state;
      },
      resume: async () => {
        await resume();
        return state;
      },
      getSettings: () => settings,
      setSettings: (patch) => {
        settings = ledger.updateSettings(patch);
        trainer.updateIntervals(settings.sampleIntervalSeconds, settings.workUnitSeconds);
        return settings;
      },
      workHistory: ({ limit, beforeId }) => ({
        units: ledger.workHistory({ limit, ...(beforeId ? { beforeId } : {}) }),
        today: ledger.totals(startOfLocalDay(Date.now())),
        total: allTime,
      }),
      latestSamples: () => latestSamples,
      progressHistory: () => [...progress],
    };
  }

  let stopping: Promise<void> | null = null;
  async function stop(): Promise<void> {
    stopping ??= (async () => {
      phase = 'stopping';
      refreshState();
      await trainer.stop();
      recorder.close();
      if (recorder.pending > 0) log(`ledger: ${recorder.pending} work unit(s) could not be recorded; the last is kept in the checkpoint`);
      if (sessionId !== null) attempt('ending the session', () => ledger.endSession(sessionId!, Date.now()));
      ledger.close();
      unlock();
    })();
    return stopping;
  }

  return { hub, status, pause, resume, stop };
}
