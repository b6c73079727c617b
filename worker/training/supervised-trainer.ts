/**
 * Keeps a trainer thread running for the node: if the thread fails after it started (a bug, memory, a disk
 * error writing a checkpoint), it is started again from its last checkpoint after a growing delay, and the
 * user's pause survives the restart. A miner left alone overnight should still be mining in the morning.
 * Requests (weights, snapshots, rebases) go to the thread running now and are refused while none is.
 */
import type { Improvement, ScoreRequest } from './scoring.js';
import type { Rebase, TrainerConfig, WeightsAtStep } from './protocol.js';
import { createRestartBackoff, type RestartBackoff, type RestartBackoffPolicy } from '../restart-backoff.js';
import { TrainerHost, type TrainerSettings, type TrainerEvents, type TrainerReady } from './trainer-host.js';
import { defaultPlacement, type TrainerPlacement } from './trainer-link.js';

export interface SupervisedTrainerEvents extends TrainerEvents {
  /** A replacement thread is up (after `failed`). */
  restarted(ready: TrainerReady): void;
}

export const DEFAULT_RESTART_POLICY: RestartBackoffPolicy = {
  initialMs: 5_000,
  maxMs: 5 * 60_000,
  stableMs: 10 * 60_000,
};

export class SupervisedTrainer {
  private host!: TrainerHost;
  /** The host while its thread runs; null from its failure until a replacement is up. */
  private live: TrainerHost | null = null;
  private wantPaused: boolean;
  private stopped = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly backoff: RestartBackoff;

  private constructor(
    /** Builds the thread's config at each (re)start: settings and the ledger may have moved on. */
    private readonly configure: () => TrainerConfig,
    private readonly events: SupervisedTrainerEvents,
    policy: RestartBackoffPolicy,
    startPaused: boolean,
    private readonly placement: TrainerPlacement,
  ) {
    this.wantPaused = startPaused;
    this.backoff = createRestartBackoff(policy);
  }

  /** Starts the first thread; a failure to start at all is the caller's (bad backend, unreadable data). */
  static async start(
    configure: () => TrainerConfig,
    events: SupervisedTrainerEvents,
    startPaused = false,
    policy: RestartBackoffPolicy = DEFAULT_RESTART_POLICY,
    placement: TrainerPlacement = defaultPlacement(),
  ): Promise<{ trainer: SupervisedTrainer; ready: TrainerReady }> {
    const trainer = new SupervisedTrainer(configure, events, policy, startPaused, placement);
    const ready = await trainer.launch();
    return { trainer, ready };
  }

  /** Whether the user (or settings) wants training paused, whatever state the thread is in. */
  get isPaused(): boolean {
    return this.wantPaused;
  }

  /** See `TrainerHost.pause`. */
  pause(): Promise<number> {
    this.wantPaused = true;
    return this.host.pause();
  }

  /** See `TrainerHost.resume`. */
  resume(): Promise<void> {
    this.wantPaused = false;
    return this.host.resume();
  }

  /** See `TrainerHost.readWeights`. */
  async readWeights(): Promise<WeightsAtStep> {
    return this.running().readWeights();
  }

  /** See `TrainerHost.writeWeights`. */
  async writeWeights(values: Float32Array): Promise<void> {
    return this.running().writeWeights(values);
  }

  /** See `TrainerHost.snapshot`. */
  async snapshot(hold: number): Promise<WeightsAtStep> {
    return this.running().snapshot(hold);
  }

  /** See `TrainerHost.paint`. */
  async paint(values: Float32Array, round: number): Promise<void> {
    return this.running().paint(values, round);
  }

  /** See `TrainerHost.score`. */
  async score(request: ScoreRequest): Promise<Improvement[]> {
    return this.running().score(request);
  }

  /** See `TrainerHost.rebase`. */
  async rebase(rebase: Rebase): Promise<void> {
    return this.running().rebase(rebase);
  }

  /** The host to send a request to; throws (rejecting the request) while the thread is restarting. */
  private running(): TrainerHost {
    if (this.stopped) throw new Error('the trainer has stopped');
    if (!this.live) throw new Error('the trainer thread is restarting');
    return this.live;
  }

  updateSettings(settings: TrainerSettings): void {
    this.host.updateSettings(settings);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.host.stop();
  }

  private async launch(): Promise<TrainerReady> {
    const { host, ready } = await TrainerHost.start(
      this.configure(),
      { ...this.events, failed: (message) => this.onFailed(message) },
      this.wantPaused,
      this.placement,
    );
    this.host = this.live = host;
    this.backoff.started();
    return ready;
  }

  private onFailed(message: string): void {
    this.live = null;
    this.events.failed(message);
    if (this.stopped || this.restartTimer) return;
    this.restartTimer = setTimeout(() => void this.restart(), this.backoff.nextDelay());
  }

  private async restart(): Promise<void> {
    this.restartTimer = null;
    if (this.stopped) return;
    try {
      const ready = await this.launch();
      if (this.stopped) return void (await this.host.stop());
      this.events.restarted(ready);
    } catch (error) {
      this.onFailed(`restart failed: ${(error as Error).message}`);
    }
  }
}
