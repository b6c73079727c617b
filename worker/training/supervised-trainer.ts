/**
 * Keeps a trainer thread running for the node: if the thread fails after it started (a bug, memory, a disk
 * error writing a checkpoint), it is started again from its last checkpoint after a growing delay, and the
 * user's pause survives the restart. A miner left alone overnight should still be mining in the morning.
 */
import type { TrainerConfig } from './protocol.js';
import { createRestartBackoff, type RestartBackoff, type RestartBackoffPolicy } from '../restart-backoff.js';
import { TrainerHost, type TrainerEvents, type TrainerReady } from './trainer-host.js';

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
  ): Promise<{ trainer: SupervisedTrainer; ready: TrainerReady }> {
    const trainer = new SupervisedTrainer(configure, events, policy, startPaused);
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

  updateIntervals(sampleIntervalSeconds: number, workUnitSeconds: number): void {
    this.host.updateIntervals(sampleIntervalSeconds, workUnitSeconds);
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
    );
    this.host = host;
    this.backoff.started();
    return ready;
  }

  private onFailed(message: string): void {
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
