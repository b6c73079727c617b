/**
 * The node's handle on the trainer thread: starts it, flips the shared pause/stop flags, and turns the
 * thread's messages into typed callbacks. Training compute never runs on the node's own event loop.
 */
import { Worker } from 'node:worker_threads';
import type { BackendName } from '../api/contract.js';
import { CONTROL, preciseNow, type FromTrainer, type ToTrainer, type TrainerConfig, type UnitRecord } from './protocol.js';

export interface TrainerEvents {
  progress(point: Extract<FromTrainer, { type: 'progress' }>['point']): void;
  samples(frame: Extract<FromTrainer, { type: 'samples' }>['frame']): void;
  unit(unit: UnitRecord): void;
  paused(): void;
  resumed(): void;
  /** Something worth logging; training goes on. */
  warning(message: string): void;
  /** The thread died or reported a failure; training has stopped. */
  failed(message: string): void;
}

/** The trainer could not start (no usable backend, unreadable data...): a message for people, no stack. */
export class TrainerStartError extends Error {
  override name = 'TrainerStartError';
}

export interface TrainerReady {
  backend: BackendName;
  step: number;
  restoredUnit: UnitRecord | null;
}

/** The thread's entry, built next to this file (dist/worker/training/trainer.thread.js). */
const THREAD_ENTRY = new URL('./trainer.thread.js', import.meta.url);

export class TrainerHost {
  private readonly control = new Int32Array(new SharedArrayBuffer(CONTROL.SLOTS * 4));
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private hasExited = false;
  private ready = false;
  private stopRequested = false;
  /** Set when the thread confirmed it is paused, with the time its last step ended. */
  private pausedAt: number | null = null;
  private pauseWaiters: Array<(lastWorkEndedAt: number) => void> = [];

  private constructor(
    config: TrainerConfig,
    private readonly events: TrainerEvents,
    private readonly onReady: (ready: TrainerReady) => void,
    private readonly onInitError: (error: Error) => void,
    startPaused: boolean,
  ) {
    if (startPaused) Atomics.store(this.control, CONTROL.PAUSE, 1);
    this.worker = new Worker(THREAD_ENTRY, { name: 'airtist-trainer' });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.hasExited = true;
        if (code !== 0 && !this.stopRequested) this.fail(`trainer thread exited with code ${code}`);
        this.settlePause(preciseNow());
        resolve();
      });
    });
    this.worker.on('message', (message: FromTrainer) => this.dispatch(message));
    this.worker.on('error', (error) => this.fail(error.stack ?? error.message));
    const init: ToTrainer = { type: 'init', config, control: this.control.buffer as SharedArrayBuffer };
    this.worker.postMessage(init);
  }

  /** Starts the thread; resolves once its backend, data and (restored) weights are ready. */
  static start(
    config: TrainerConfig,
    events: TrainerEvents,
    startPaused = false,
  ): Promise<{ host: TrainerHost; ready: TrainerReady }> {
    return new Promise((resolve, reject) => {
      const host: TrainerHost = new TrainerHost(config, events, (ready) => resolve({ host, ready }), reject, startPaused);
    });
  }

  /**
   * Asks the trainer to pause. Resolves with the time its last micro-step ended (`preciseNow()` clock) once it
   * has stopped: the step in flight is ended cleanly (see `trainStepMicro`) and nothing trained is lost.
   */
  pause(): Promise<number> {
    if (this.hasExited) return Promise.resolve(preciseNow());
    Atomics.store(this.control, CONTROL.PAUSE, 1);
    if (this.pausedAt !== null) return Promise.resolve(this.pausedAt);
    return new Promise((resolve) => this.pauseWaiters.push(resolve));
  }

  resume(): void {
    this.pausedAt = null;
    Atomics.store(this.control, CONTROL.PAUSE, 0);
    Atomics.notify(this.control, CONTROL.PAUSE);
    // A pause still waiting for the thread is overtaken by this resume.
    this.settlePause(preciseNow());
  }

  updateIntervals(sampleIntervalSeconds: number, workUnitSeconds: number): void {
    if (!this.hasExited) this.worker.postMessage({ type: 'settings', sampleIntervalSeconds, workUnitSeconds } satisfies ToTrainer);
  }

  /** Finishes the current step, checkpoints, and ends the thread (terminated if it overruns the timeout). */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopRequested = true;
    Atomics.store(this.control, CONTROL.STOP, 1);
    Atomics.notify(this.control, CONTROL.PAUSE); // wakes a paused trainer so it can exit
    const timer = setTimeout(() => void this.worker.terminate(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  private settlePause(at: number): void {
    const waiters = this.pauseWaiters;
    this.pauseWaiters = [];
    for (const resolve of waiters) resolve(at);
  }

  private fail(message: string, stack?: string): void {
    if (!this.ready) {
      this.ready = true;
      this.onInitError(new TrainerStartError(message));
    } else {
      this.events.failed(stack ?? message);
    }
  }

  private dispatch(message: FromTrainer): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.onReady({ backend: message.backend, step: message.step, restoredUnit: message.restoredUnit });
      case 'progress':
        return this.events.progress(message.point);
      case 'samples':
        return this.events.samples(message.frame);
      case 'unit':
        return this.events.unit(message.unit);
      case 'paused':
        this.pausedAt = message.at;
        this.settlePause(message.at);
        return this.events.paused();
      case 'resumed':
        return this.events.resumed();
      case 'warning':
        return this.events.warning(message.message);
      case 'stopped':
        return;
      case 'error':
        return this.fail(message.message, message.stack);
    }
  }
}
