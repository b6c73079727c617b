/**
 * Keeps a trainer thread running for the node: if the thread fails after it started (a bug, memory, a disk
 * error writing a checkpoint), it is started again from its last checkpoint after a growing delay, and the
 * user's pause survives the restart. A miner left alone overnight should still be mining in the morning.
 */
import type { TrainerConfig } from './protocol.js';
import { TrainerHost, type TrainerEvents, type TrainerReady } from './trainer-host.js';

export interface SupervisedTrainerEvents extends TrainerEvents {
  /** A replacement thread is up (after `failed`). */
  restarted(ready: TrainerReady): void;
}

export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Running this long without failing resets the delay to its initial value. */
  healthyAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 5_000,
  maxDelayMs: 5 * 60_000,
  healthyAfterMs: 10 * 60_000,
};

export class SupervisedTrainer {
  private host!: TrainerHost;
  private wantPaused: boolean;
  private stopped = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private delayMs: number;
  private startedAt = Date.now();

  private constructor(
    /** Builds the thread's config at each (re)start: settings and the ledger may have moved on. */
    private readonly configure: () => TrainerConfig,
    private readonly events: SupervisedTrainerEvents,
    private readonly policy: RestartPolicy,
    startPaused: boolean,
  ) {
    this.wantPaused = startPaused;
    this.delayMs = policy.initialDelayMs;
  }

  /** Starts the first thread; a failure to start at all is the caller's (bad backend, unreadable data). */
  static async start(
    configure: () => TrainerConfig,
    events: SupervisedTrainerEvents,
    startPaused = false,
    policy: RestartPolicy = DEFAULT_RESTART_POLICY,
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

  resume(): void {
    this.wantPaused = false;
    this.host.resume();
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
    this.startedAt = Date.now();
    return ready;
  }

  private onFailed(message: string): void {
    this.events.failed(message);
    if (this.stopped || this.restartTimer) return;
    if (Date.now() - this.startedAt >= this.policy.healthyAfterMs) this.delayMs = this.policy.initialDelayMs;
    this.restartTimer = setTimeout(() => void this.restart(), this.delayMs);
    this.delayMs = Math.min(this.delayMs * 2, this.policy.maxDelayMs);
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
