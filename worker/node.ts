/**
 * The miner node's composition root: data dir, ledger, trainer thread and the control API handlers.
 * Transports (HTTP/WebSocket for the headless node, MessagePorts under Electron) are attached by the entry
 * points; the node itself only knows the API hub.
 */
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
import { runIdOf, type RunSpec } from './rounds/run-spec.js';
import { assignShard } from './training/data/shards.js';
import { defaultModelFor, getModel } from './training/models/registry.js';
import { probeBestBackend } from './training/backend-probe.js';
import type { TrainerConfig } from './training/protocol.js';
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
  log?: (line: string) => void;
}

export const SHARD_COUNT = 8;
const PROGRESS_HISTORY = 600;

const REASON_TEXT: Record<StateInfo['reason'], string> = {
  loading: 'Loading the model and data',
  running: 'Training on your shard',
  user: 'Paused by you',
  settings: 'Paused: start paused is on',
  shutdown: 'Shutting down',
  failure: 'Training stopped after an error',
};

export interface MinerNode {
  readonly hub: ApiHub;
  status(): Status;
  /** Pauses training; resolves with the time the last micro-step ended once the trainer has stopped. */
  pause(): Promise<number>;
  resume(): void;
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
  ledger.closeDanglingSessions(Date.now());
  let settings: Settings = ledger.getSettings();

  // The default model suits the backend the trainer thread will get (dcgan needs native speed).
  const model = options.model ?? defaultModelFor(options.backend ?? probeBestBackend());
  const dataset = options.dataset ?? 'mnist';
  const batchSize = options.batchSize ?? getModel(model).defaultBatchSize;
  const spec: RunSpec = { version: 1, model, dataset, shardCount: SHARD_COUNT, batchSize };
  const runId = runIdOf(spec);
  const shard = assignShard(runId, 0, nodeId, SHARD_COUNT);
  const startedAt = Date.now();

  let state: StateInfo = { state: 'starting', reason: 'loading', reasonText: REASON_TEXT.loading };
  let step = 0;
  let backend: BackendName = options.backend ?? 'cpu';
  let latestSamples: SamplesFrame | null = null;
  const progress: ProgressPoint[] = [];
  let sessionId: number | null = null;

  const hub = createApiHub(handlers(), log);
  const setState = (next: StateInfo['state'], reason: StateInfo['reason']) => {
    state = { state: next, reason, reasonText: REASON_TEXT[reason] };
    hub.publish('state', state);
  };

  // All-time totals scan the whole ledger (≈0.2 s at a million units): read once, then kept up to date here.
  let allTime: WorkTotals = ledger.totals();
  const recordUnit = (unit: Parameters<Ledger['recordWorkUnit']>[0]) => {
    const recorded = ledger.recordWorkUnit(unit);
    if (!recorded) return;
    allTime = {
      units: allTime.units + 1,
      steps: allTime.steps + (recorded.stepEnd - recorded.stepStart),
      samples: allTime.samples + recorded.samples,
      seconds: allTime.seconds + recorded.seconds,
    };
    hub.publish('work', recorded);
  };

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
        if (state.state !== 'stopping') setState('paused', state.reason === 'settings' ? 'settings' : 'user');
      },
      resumed() {
        setState('training', 'running');
      },
      warning(message) {
        log(`trainer: ${message}`);
      },
      failed(message) {
        log(`trainer failed, restarting it shortly: ${message}`);
        setState('error', 'failure');
      },
      restarted(ready) {
        adopt(ready);
        log(`trainer restarted at step ${ready.step}`);
        if (!trainer.isPaused) setState('training', 'running');
      },
    },
    settings.startPaused,
    options.restartPolicy,
  ).catch((error: unknown) => {
    ledger.close(); // nothing to train: leave the ledger as cleanly closed as a normal stop
    unlock();
    throw error;
  });
  const { trainer, ready } = started;
  adopt(ready);
  sessionId = ledger.startSession({ runId, model, dataset, backend, nodeId, startedAt });
  if (settings.startPaused) setState('paused', 'settings');
  else setState('training', 'running');
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
      discriminatorLoss: last?.discriminatorLoss ?? null,
      generatorLoss: last?.generatorLoss ?? null,
      uptimeSeconds: (Date.now() - startedAt) / 1000,
      work: { today: ledger.totals(startOfLocalDay(Date.now())), total: allTime },
    };
  }

  async function pause(): Promise<number> {
    const at = await trainer.pause();
    if (state.state === 'training') setState('paused', 'user');
    return at;
  }

  function resume(): void {
    if (state.state === 'stopping') return;
    trainer.resume();
    if (state.state !== 'error') setState('training', 'running');
  }

  function handlers(): Handlers {
    return {
      status: () => status(),
      pause: async () => {
        await pause();
        return state;
      },
      resume: () => {
        resume();
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
      setState('stopping', 'shutdown');
      await trainer.stop();
      if (sessionId !== null) ledger.endSession(sessionId, Date.now());
      ledger.close();
      unlock();
    })();
    return stopping;
  }

  return { hub, status, pause, resume, stop };
}
