/**
 * The miner node's composition root: it only wires the services — data dir, ledger, trainer and the control
 * API — and stops them in reverse order. Transports (HTTP/WebSocket for the headless node, MessagePorts under
 * Electron) are attached by the entry points; the node itself only knows the API hub.
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import {
  API_VERSION,
  type BackendName,
  type DatasetName,
  type ModelName,
  type Earnings,
  type NetworkStatus,
  type ProgressPoint,
  type RoundRecord,
  type SamplesFrame,
  type Settings,
  type Status,
} from './api/contract.js';
import { createHandlers } from './api/handlers.js';
import { createApiHub, type ApiHub } from './api/hub.js';
import type { NetworkMetrics } from './api/metrics.js';
import { ensureDataDir, lockDataDir, readOrCreateSecret } from './data-dir.js';
import { appVersion } from './paths.js';
import { startLedgerService } from './ledger/service.js';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { loadOrCreatePeerKey } from './p2p/peer-key.js';
import { startP2pService, type P2pOptions, type P2pService } from './p2p/service.js';
import { networkWithSettings } from './network-options.js';
import type { AdversaryKind } from './rounds/adversary.js';
import { RoundDriver, type RoundTiming } from './rounds/driver.js';
import { DEFAULT_RUN_SPEC, runIdOf, type RunSpec } from './rounds/run-spec.js';
import type { EpochRecord } from './ledger/rewards.js';
import { deriveState, sameState, startingFacts, type NodeFacts } from './state.js';
import { assignShard } from './training/data/shards.js';
import { defaultModelFor, modelFacts } from './training/models/catalog.js';
import { probeBestBackend } from './training/backend-probe.js';
import type { TrainerConfig } from './training/protocol.js';
import type { RestartBackoffPolicy } from './restart-backoff.js';
import { SupervisedTrainer } from './training/supervised-trainer.js';
import type { TrainerPlacement } from './training/trainer-link.js';
import { earningsView, networkView, roundHistoryView } from './node-views.js';
import { createLogRing, exportDiagnostics } from './diagnostics/bundle.js';
import { startNodeWallet, type ChainChoice, type NodeWallet, type SecretSealer } from './wallet/service.js';
import { readValidatorKey } from './chain/config.js';
import type { Decision } from './scheduler/scheduler.js';
import { startScheduler, type SchedulerServiceOptions } from './scheduler/service.js';
import type { TrainerReady, TrainerSettings } from './training/trainer-host.js';

export interface NodeOptions {
  dataDir: string;
  model?: ModelName;
  dataset?: DatasetName;
  backend?: BackendName;
  /** Overrides the model's default batch size. */
  batchSize?: number;
  /** How a failed trainer thread is restarted (tests shorten the delays). */
  restartPolicy?: RestartBackoffPolicy;
  /** Where the training compute runs (default: a thread on Linux, a child process at idle priority elsewhere). */
  trainer?: TrainerPlacement;
  /** Log files a diagnostics export includes besides the node's own lines (the desktop app's main process). */
  logFiles?: readonly string[];
  /** Free space training must leave on the data dir's disk (default 100 MB). */
  reserveDiskBytes?: number;
  /** Start paused this time, whatever the start-paused setting says (`airtist node --paused`); Resume starts it. */
  startPaused?: boolean;
  /** Stand-ins for the scheduler's own measurements (tests). */
  scheduler?: Pick<SchedulerServiceOptions, 'sampleLoad' | 'temperature' | 'tickMs'>;
  /** The wallet locks itself after this long unused (default 15 minutes); scrypt's cost, lowered only in tests. */
  wallet?: { autoLockMs?: number; scryptN?: number; sealer?: SecretSealer };
  /** Join the peer network and train in rounds; absent = offline, training alone. */
  network?: NetworkOptions;
  log?: (line: string) => void;
}

export interface NetworkOptions extends P2pOptions {
  /** A round's training window and its inner steps (H): a test network or a swarm sets its own run. */
  roundSeconds?: number;
  innerSteps?: number;
  /** Rounds per reward epoch (a test network's own run). */
  epochRounds?: number;
  /** Where this node's rewards are credited (in its signed contribution headers), until the wallet holds one. */
  rewardAddress?: string;
  /** A round closes once this many contributions are in, or every active peer's (a test network's own run). */
  quorum?: number;
  /** Cheat this way in every round (rounds/adversary.ts): a test of the network's defences. */
  adversary?: AdversaryKind;
  /** The chain rewards are claimed on: the embedded devnet, a configured chain (chain/service.ts), or none (default). */
  chain?: ChainChoice;
  timing?: Partial<RoundTiming>;
}

export const SHARD_COUNT = 8;
const PROGRESS_HISTORY = 600;
const UNITS_IN_HISTORY = 60;
export const DEFAULT_RESERVE_DISK_BYTES = 100e6;

export interface MinerNode {
  readonly hub: ApiHub;
  status(): Status;
  /** Pauses training; resolves with the time the last micro-step ended once the trainer has stopped. */
  pause(): Promise<number>;
  /** Resumes training; resolves once the trainer confirmed. */
  resume(): Promise<void>;
  /** The peer network and the rounds, as the dashboard shows them. */
  network(): NetworkStatus;
  /** The network's numbers for /metrics; null for an offline node. */
  networkMetrics(): NetworkMetrics | null;
  /** Checkpoints, records the last unit, closes the ledger. Idempotent. */
  stop(): Promise<void>;
}

export async function startNode(options: NodeOptions): Promise<MinerNode> {
  // The node's recent log lines are kept for a diagnostics export.
  const recentLog = createLogRing();
  const log = (line: string) => {
    recentLog.push(line);
    options.log?.(line);
  };
  const dataDir = ensureDataDir(options.dataDir);
  const unlock = lockDataDir(dataDir);
  const nodeId = readOrCreateSecret(dataDir, 'node-id', 16);

  // The facts the state is derived from (see state.ts); every change goes through refreshState().
  const facts: NodeFacts = startingFacts();
  let state = deriveState(facts);
  const refreshState = () => {
    const next = deriveState(facts);
    if (sameState(next, state)) return;
    state = next;
    if (next.reason === 'disk') log(next.reasonText);
    hub.publish('state', state);
  };

  let ledger: ReturnType<typeof startLedgerService>;
  try {
    ledger = startLedgerService({
      dataDir,
      log,
      recorded: (unit) => hub.publish('work', unit),
      blocked(block) {
        facts.ledgerBlock = block;
        // Hold training while the ledger cannot record it, so no unit waits in memory for long.
        void applyPause();
        refreshState();
      },
    });
  } catch (error) {
    unlock();
    throw error;
  }
  let settings: Settings = ledger.ledger.getSettings();
  const startPaused = options.startPaused || settings.startPaused;
  facts.userPaused = facts.trainerPaused = startPaused;
  facts.pausedBy = startPaused ? 'settings' : 'user';
  // The scheduler decides from the first moment (a trainer started while the user is at the keyboard starts
  // held); once the trainer runs, each change of its decision holds, frees or slows it.
  let onSchedule = (decision: Decision) => void (facts.schedule = decision);
  const scheduler = startScheduler({ settings: () => settings, changed: (decision) => onSchedule(decision), ...options.scheduler });
  facts.schedule = scheduler.decision();
  facts.trainerPaused ||= !facts.schedule.train;

  // The default model suits the backend the trainer thread will get (dcgan needs native speed).
  const model = options.model ?? defaultModelFor(options.backend ?? probeBestBackend());
  const dataset = options.dataset ?? 'mnist';
  const batchSize = options.batchSize ?? modelFacts(model).defaultBatchSize;
  const spec: RunSpec = {
    ...DEFAULT_RUN_SPEC,
    model,
    dataset,
    shardCount: SHARD_COUNT,
    batchSize,
    round: {
      seconds: options.network?.roundSeconds ?? DEFAULT_RUN_SPEC.round.seconds,
      maxInnerSteps: options.network?.innerSteps ?? DEFAULT_RUN_SPEC.round.maxInnerSteps,
    },
    rewards: { ...DEFAULT_RUN_SPEC.rewards, epochRounds: options.network?.epochRounds ?? DEFAULT_RUN_SPEC.rewards.epochRounds },
    ...(options.network?.quorum ? { quorum: { contributions: options.network.quorum, fraction: 1 } } : {}),
  };
  const runId = runIdOf(spec);
  const checkpointPath = join(ensureDataDir(join(dataDir, 'checkpoints')), `${runId}.ckpt`);
  const roundStatePath = join(ensureDataDir(join(dataDir, 'rounds')), `${runId}.state`);

  // The identity comes first (the data a peer trains is assigned by its id). The peer starts while the trainer
  // thread loads (each takes a second or two), so a joining node has found its peers when it can train; a
  // node whose trainer cannot start stops its peer again before it has taken part in anything.
  let p2p: P2pService | null = null;
  const resolved = options.network ? networkWithSettings(options.network, settings) : null;
  for (const problem of resolved?.running.problems ?? []) log(`network settings: ${problem.text}`);
  const networkOptions = resolved?.options;
  const privateKey = networkOptions ? await loadOrCreatePeerKey(dataDir, log) : null;
  const p2pStarting = privateKey && networkOptions ? startP2pService(privateKey, networkOptions, log) : null;
  // Until it is awaited below, a failure is the trainer's path to handle (stop it), not an unhandled rejection.
  p2pStarting?.catch(() => undefined);
  if (privateKey && existsSync(checkpointPath) && !existsSync(roundStatePath)) {
    // Local weights without the round they belong to cannot be rebased onto the network's: start from θ_r.
    renameSync(checkpointPath, `${checkpointPath}.solo-${Date.now()}`);
  }
  const peerId = privateKey ? peerIdFromPrivateKey(privateKey).toString() : nodeId;
  let shard = assignShard(runId, 0, peerId, SHARD_COUNT);
  let driver: RoundDriver | null = null;
  let wallet: NodeWallet | null = null;
  const startedAt = Date.now();

  let step = 0;
  let backend: BackendName = options.backend ?? 'cpu';
  let latestSamples: SamplesFrame | null = null;
  // The loss chart's history survives a restart: the run's last work units stand in for the steps before it
  // (their mean losses and speed; the micro-batch is not recorded, so 0: unknown).
  const progress: ProgressPoint[] = ledger.ledger
    .workHistory({ limit: UNITS_IN_HISTORY })
    .filter((unit) => unit.runId === runId)
    .reverse()
    .map((unit) => ({ step: unit.stepEnd, samplesPerSecond: unit.seconds > 0 ? unit.samples / unit.seconds : 0, microBatch: 0, losses: unit.losses, time: unit.finishedAt }));
  let sessionId: number | null = null;

  const hub = createApiHub(
    createHandlers({
      status: () => status(),
      state: () => state,
      pause: () => pause(),
      pauseAfterRound: () => pauseAfterRound(),
      pauseFor: (minutes) => pauseFor(minutes),
      resume: () => resume(),
      reportSignals: (signals) => {
        scheduler.report(signals);
        return applyPause();
      },
      settings: () => settings,
      updateSettings(patch) {
        settings = ledger.ledger.updateSettings(patch);
        trainer.updateSettings(trainerSettings());
        scheduler.refresh();
        hub.publish('settings', settings);
        if (!options.wallet?.autoLockMs) wallet?.setAutoLock(settings.walletLockMinutes * 60_000);
        return settings;
      },
      ledger,
      latestSamples: () => latestSamples,
      progressHistory: () => [...progress],
      network: () => network(),
      roundHistory: (limit) => roundHistory(limit),
      earnings: (limit) => earnings(limit),
      wallet: () => wallet,
      exportDiagnostics: () =>
        exportDiagnostics({ dataDir, status: status(), settings, network: network(), log: recentLog, ...(options.logFiles ? { logFiles: options.logFiles } : {}) }),
    }),
    log,
  );

  const trainerConfig = (): TrainerConfig => ({
    // Made again on every (re)start: the folder may have been removed since (a restart must still work).
    checkpointPath: join(ensureDataDir(join(dataDir, 'checkpoints')), `${runId}.ckpt`),
    runId,
    seed: spec.seed,
    model,
    dataset,
    ...(options.backend ? { backend: options.backend } : {}),
    shard,
    shardCount: SHARD_COUNT,
    batchSize,
    // Without a usable checkpoint, number steps on from the ledger: a unit is unique per (run, first step).
    firstStep: ledger.ledger.lastUnit(runId)?.stepEnd ?? 0,
    sampleIntervalSeconds: settings.sampleIntervalSeconds,
    workUnitSeconds: settings.workUnitSeconds,
    intensity: facts.schedule?.intensity ?? 1,
    reserveDiskBytes: options.reserveDiskBytes ?? DEFAULT_RESERVE_DISK_BYTES,
    // In rounds the trainer waits for the round's weights and steps before it computes anything.
    // On the network the rounds grant the steps, and the picture is the committed model's, the same on every peer.
    ...(privateKey ? { startHeld: true, paintOnRequest: true } : {}),
  });
  const adopt = (ready: TrainerReady) => {
    backend = ready.backend;
    step = ready.step;
    // A crash between the checkpoint and the ledger write leaves the unit only in the checkpoint: replay it.
    // The ledger ignores a unit it already has, so this is exactly-once.
    if (ready.restoredUnit) ledger.record({ ...ready.restoredUnit, sessionId: null });
  };

  const started = await SupervisedTrainer.start(
    trainerConfig,
    {
      progress(point) {
        step = point.step;
        progress.push(point);
        driver?.observeLosses(point.losses);
        if (progress.length > PROGRESS_HISTORY) progress.splice(0, progress.length - PROGRESS_HISTORY);
        hub.publish('progress', point);
      },
      samples(frame) {
        latestSamples = frame;
        hub.publish('samples', frame);
      },
      unit(unit) {
        step = Math.max(step, unit.stepEnd);
        ledger.record({ ...unit, sessionId });
      },
      paused() {
        facts.trainerPaused = true;
        refreshState();
      },
      resumed() {
        facts.trainerPaused = false;
        refreshState();
      },
      disk(full) {
        facts.checkpointDisk = full;
        refreshState();
      },
      held(at) {
        driver?.trainerHeld(at);
      },
      warning(message) {
        log(`trainer: ${message}`);
      },
      failed(message) {
        log(`trainer failed, restarting it shortly: ${message}`);
        if (facts.phase !== 'stopping') facts.phase = 'failed';
        facts.checkpointDisk = null;
        refreshState();
      },
      restarted(ready) {
        adopt(ready);
        log(`trainer restarted at step ${ready.step}`);
        driver?.trainerRestarted();
        if (facts.phase === 'failed') facts.phase = 'running';
        facts.trainerPaused = trainer.isPaused; // until the new thread confirms its first command
        refreshState();
      },
    },
    facts.trainerPaused,
    options.restartPolicy,
    options.trainer,
  ).catch(async (error: unknown) => {
    await p2pStarting?.then((started) => started.stop()).catch(() => undefined);
    ledger.stop(); // nothing to train: leave the ledger as cleanly closed as a normal stop
    unlock();
    throw error;
  });
  const { trainer, ready } = started;
  adopt(ready);
  onSchedule = (decision) => {
    facts.schedule = decision;
    trainer.updateSettings(trainerSettings());
    void applyPause();
    refreshState();
  };
  sessionId = ledger.startSession({ runId, model, dataset, backend, nodeId, startedAt });
  facts.phase = 'running';
  refreshState();
  log(`node ${nodeId.slice(0, 8)}: ${model} on ${dataset} shard ${shard + 1} of ${SHARD_COUNT}, backend ${backend}, step ${step}`);

  if (privateKey && p2pStarting) {
    try {
      p2p = await p2pStarting;
    } catch (error) {
      await trainer.stop();
      ledger.endSession(sessionId);
      ledger.stop();
      unlock();
      throw error;
    }
  }
  const chain = networkOptions?.chain ?? 'none';
  // A configured chain's validators agree on roots over the peer network; this node is one if its data dir
  // holds a key the contract names. A damaged key file is said and the node runs on without signing.
  const validatorKey = typeof chain === 'object' ? await readValidatorKey(dataDir).catch((error: Error) => (log(`chain: ${error.message}`), null)) : null;
  // The wallet reads its keystore now; its chain (the devnet unless one is configured) starts beside the
  // rounds, not before them: joining does not wait for it.
  wallet = await startNodeWallet({
    dataDir,
    runId,
    emission: spec.rewards,
    rewards: ledger.ledger.rewards,
    transactions: ledger.ledger.transactions,
    chain,
    ...(options.network?.rewardAddress ? { rewardAddress: options.network.rewardAddress } : {}),
    ...(p2p ? { roots: { peer: p2p.peer, ...(validatorKey ? { validatorKey } : {}) } } : {}),
    autoLockMs: settings.walletLockMinutes * 60_000,
    ...options.wallet,
    log,
    changed: (info) => hub.publish('wallet', info),
    transaction: (tx) => hub.publish('transaction', tx),
  });
  if (p2p && privateKey) {
    const { peer } = p2p;
    driver = new RoundDriver({
      spec,
      runId,
      peer,
      privateKey,
      trainer,
      records: ledger.ledger.rounds,
      rewards: ledger.ledger.rewards,
      statePath: roundStatePath,
      // Only asked when this peer has no round state: the trainer then started afresh from the seed.
      genesis: async () => (await trainer.readWeights()).values,
      rewardAddress: () => wallet?.rewardAddress() ?? null,
      epochClosed: (record: EpochRecord) => wallet?.epochClosed(record),
      ...(options.network?.adversary ? { adversary: options.network.adversary } : {}),
      ...(options.network?.timing ? { timing: options.network.timing } : {}),
      log,
      changed(info) {
        shard = assignShard(runId, info.round.round, peerId, SHARD_COUNT);
        // The round the user wanted finished is: its contribution went out, or it closed without one.
        const waited = facts.pauseAfterRound;
        if (waited !== null && (info.round.round > waited || (info.round.round === waited && info.round.contributed))) {
          log(`rounds: round ${waited} finished; pausing as asked`);
          void pause();
        }
        hub.publish('network', network());
      },
    });
    await driver.start();
  }

  // Declarations (hoisted): the hub and the driver call them from the moment they start.
  function network(): NetworkStatus {
    return networkView(p2p, driver, resolved?.running ?? null);
  }
  function roundHistory(limit: number): RoundRecord[] {
    return roundHistoryView(ledger.ledger, runId, limit);
  }
  function earnings(limit: number): Earnings {
    const round = driver?.info().round;
    return earningsView(ledger.ledger, runId, limit, {
      emission: spec.rewards,
      round: round?.round ?? 0,
      reputation: round?.reputation ?? 0,
      rewardAddress: wallet?.rewardAddress() ?? null,
      now: Date.now(),
    });
  }

  function status(): Status {
    const last = progress.at(-1);
    return {
      ...state,
      apiVersion: API_VERSION,
      appVersion,
      nodeId,
      dataDir,
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
      work: { today: ledger.today(), total: ledger.allTime, inProgress: inProgress() },
    };
  }

  /** Steps trained since the last unit the ledger recorded: work under way, in no total yet. */
  function inProgress(): { steps: number; samples: number } {
    const steps = Math.max(0, step - (ledger.ledger.lastUnit(runId)?.stepEnd ?? 0));
    return { steps, samples: steps * batchSize };
  }

  /** Tells the trainer what the user, the ledger and the scheduler want; resolves once it confirmed (see TrainerHost). */
  function applyPause(): Promise<unknown> {
    return facts.userPaused || facts.ledgerBlock !== null || facts.schedule?.train === false ? trainer.pause() : trainer.resume();
  }

  function trainerSettings(): TrainerSettings {
    return { sampleIntervalSeconds: settings.sampleIntervalSeconds, workUnitSeconds: settings.workUnitSeconds, intensity: facts.schedule?.intensity ?? 1 };
  }

  /** "Pause for an hour": the scheduler holds the trainer until then (a setting, so a restart keeps it). */
  async function pauseFor(minutes: number): Promise<void> {
    settings = ledger.ledger.updateSettings({ pauseUntil: Date.now() + minutes * 60_000 });
    scheduler.refresh();
    await applyPause();
  }

  async function pause(): Promise<number> {
    facts.userPaused = true;
    facts.pausedBy = 'user';
    facts.pauseAfterRound = null;
    return (await applyPause()) as number;
  }

  /**
   * "Finish the round, then pause": trains on until this round's contribution is sent (so the round's work
   * counts), then pauses as Pause does. A node without rounds (offline) has nothing to finish: it pauses now.
   */
  async function pauseAfterRound(): Promise<void> {
    const round = driver?.info().round;
    if (!round || round.contributed || facts.trainerPaused) {
      await pause();
      return;
    }
    facts.pauseAfterRound = round.round;
    refreshState();
  }

  async function resume(): Promise<void> {
    if (facts.phase === 'stopping') return;
    facts.userPaused = false;
    facts.pauseAfterRound = null;
    refreshState();
    // Resume also ends a pause for a while; what the schedule itself holds (idle, battery…) stays held.
    if (settings.pauseUntil !== null) settings = ledger.ledger.updateSettings({ pauseUntil: null });
    scheduler.refresh();
    await applyPause();
  }

  let stopping: Promise<void> | null = null;
  async function stop(): Promise<void> {
    stopping ??= (async () => {
      facts.phase = 'stopping';
      refreshState();
      scheduler.stop();
      await driver?.stop();
      await wallet?.stop();
      await p2p?.stop().catch((error: Error) => log(`p2p: stopping: ${error.message}`));
      await trainer.stop();
      ledger.endSession(sessionId);
      ledger.stop();
      unlock();
    })();
    return stopping;
  }

  const networkMetrics = (): NetworkMetrics | null => {
    if (!p2p) return null;
    return {
      status: network(),
      messages: p2p.peer.stats.rows(),
      requests: { ...driver?.requestStats },
      banned: { now: p2p.peer.misbehaviour.bannedCount(), total: p2p.peer.misbehaviour.banCount },
    };
  };

  return { hub, status, pause, resume, network, networkMetrics, stop };
}
