/**
 * The node's handle on the trainer thread: starts it, flips the shared pause/stop flags, turns the thread's
 * messages into typed callbacks, and makes its requests (weights, snapshots, rebases) promises answered by id.
 * Training compute never runs on the node's own event loop.
 */
import type { BackendName } from '../api/contract.js';
import {
  encodeCommand,
  nextSeq,
  preciseNow,
  type DiskFull,
  type FromTrainer,
  type Rebase,
  type ToTrainer,
  type TrainerConfig,
  type TrainerRequest,
  type UnitRecord,
  type WeightsAtStep,
} from './protocol.js';
import type { Improvement, ScoreRequest } from './scoring.js';
import { defaultPlacement, openTrainerLink, type TrainerLink, type TrainerPlacement } from './trainer-link.js';

export interface TrainerEvents {
  progress(point: Extract<FromTrainer, { type: 'progress' }>['point']): void;
  samples(frame: Extract<FromTrainer, { type: 'samples' }>['frame']): void;
  unit(unit: UnitRecord): void;
  /** The trainer confirmed the latest command: it is paused (no compute until a resume). */
  paused(): void;
  /** The trainer confirmed the latest command: it trains (or waits for disk space to). */
  resumed(): void;
  /** Training holds at its step limit, `step`, until a snapshot or rebase raises it (not a pause). */
  held?(step: number): void;
  /** The checkpoint's disk is full and training holds, or it has room again (null). */
  disk(full: DiskFull | null): void;
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

/** What the node may change while the thread runs. */
export type TrainerSettings = Pick<TrainerConfig, 'sampleIntervalSeconds' | 'workUnitSeconds'> & { intensity: number };

/**
 * How long a pause keeps a freezable trainer frozen (see `pause`). Then it is let go to end the step it was
 * stopped in, at the lowest priority, and wait there: its checkpoint makes the work durable, and it answers the
 * node again. Any request, a resume or a stop lets it go at once.
 */
export const FREEZE_MS = 1000;

/**
 * How long a micro-step of a freezable trainer should take: a pause no longer waits for one, so they can be as
 * large as the machine computes best (the whole batch, for the default model here); this bounds the compute a
 * trainer finishes once let go after a pause.
 */
export const FREEZABLE_MICRO_STEP_MS = 1000;

export class TrainerHost {
  private readonly link: TrainerLink;
  private readonly exited: Promise<void>;
  private hasExited = false;
  private ready = false;
  private stopRequested = false;
  /** The latest command's number and state; the thread acknowledges each command it sees. */
  private seq = 0;
  private wantPaused: boolean;
  /** Calls waiting for their command's acknowledgement (or a later one's), oldest first. */
  private waiters: Array<{ seq: number; settle: (lastWorkEndedAt: number) => void }> = [];
  /** Weight requests waiting for the thread's answer, by id. */
  private requests = 0;
  private readonly pending = new Map<number, { resolve: (reply: FromTrainer) => void; reject: (error: Error) => void }>();
  /** While a pause holds the trainer frozen: the timer that lets it go. */
  private frozen: NodeJS.Timeout | null = null;

  private constructor(
    config: TrainerConfig,
    private readonly events: TrainerEvents,
    private readonly onReady: (ready: TrainerReady) => void,
    private readonly onInitError: (error: Error) => void,
    startPaused: boolean,
    placement: TrainerPlacement,
  ) {
    this.wantPaused = startPaused;
    let exit: () => void = () => {};
    this.exited = new Promise((resolve) => (exit = resolve));
    this.link = openTrainerLink(placement, {
      message: (message) => this.dispatch(message),
      error: (error) => this.fail(error.stack ?? error.message),
      exit: (code) => {
        this.hasExited = true;
        if (this.frozen) clearTimeout(this.frozen);
        this.frozen = null;
        if (code !== 0 && !this.stopRequested) this.fail(`the trainer ${this.link.isolation} exited with code ${code}`);
        this.settle(this.waiters.length, preciseNow());
        for (const { reject } of this.pending.values()) reject(new Error('the trainer exited'));
        this.pending.clear();
        exit();
      },
    });
    const freezable = this.link.freeze !== undefined;
    this.link.init({ ...(freezable ? { microStepTargetMs: FREEZABLE_MICRO_STEP_MS } : {}), ...config }, encodeCommand({ seq: this.seq, paused: startPaused }));
  }

  /** Where the training compute runs: a thread of this process, or a child process at the lowest priority. */
  get isolation(): TrainerPlacement['isolation'] {
    return this.link.isolation;
  }

  /** Starts the thread; resolves once its backend, data and (restored) weights are ready. */
  static start(
    config: TrainerConfig,
    events: TrainerEvents,
    startPaused = false,
    placement: TrainerPlacement = defaultPlacement(),
  ): Promise<{ host: TrainerHost; ready: TrainerReady }> {
    return new Promise((resolve, reject) => {
      const host: TrainerHost = new TrainerHost(config, events, (ready) => resolve({ host, ready }), reject, startPaused, placement);
    });
  }

  /**
   * Asks the trainer to pause. Resolves with the time its last micro-step ended (`preciseNow()` clock) once it
   * has stopped: the step in flight is ended cleanly (see `trainStepMicro`) and nothing trained is lost.
   * A trainer that can be frozen (a process) is stopped at once, mid-step, with the step whole in its memory:
   * then this resolves with the time it was frozen, and the step ends once it is let go (FREEZE_MS).
   * A later command that overtakes this one settles it too (then with the time it was overtaken).
   */
  pause(): Promise<number> {
    return this.command(true);
  }

  /** Asks the trainer to resume; resolves once it has (or a later command overtook this one). */
  async resume(): Promise<void> {
    await this.command(false);
  }

  private command(paused: boolean): Promise<number> {
    if (this.hasExited) return Promise.resolve(preciseNow());
    this.seq = nextSeq(this.seq);
    this.wantPaused = paused;
    const seq = this.seq;
    const settled = new Promise<number>((settle) => this.waiters.push({ seq, settle }));
    this.thaw();
    this.link.command(encodeCommand({ seq, paused }));
    if (paused && this.link.freeze) this.freeze(seq);
    return settled;
  }

  /** Stops the trainer process now; it has the pause command, and takes it where the step ends once let go. */
  private freeze(seq: number): void {
    if (!this.link.freeze!()) return;
    this.frozen = setTimeout(() => this.thaw(), FREEZE_MS);
    if (this.acknowledged(seq, preciseNow()) && this.wantPaused) this.events.paused();
  }

  /** Lets a frozen trainer go on (before anything is asked of it: a frozen process answers nothing). */
  private thaw(): void {
    if (!this.frozen) return;
    clearTimeout(this.frozen);
    this.frozen = null;
    this.link.thaw!();
  }

  /** The task's weights as one vector with its manifest and step, moved (not copied) out of the thread. */
  readWeights(): Promise<WeightsAtStep> {
    return this.weights({ type: 'readWeights', id: this.nextRequest() }, 'weights request');
  }

  /**
   * The weights and their step, read between whole steps; from then on the trainer trains at most `hold`
   * steps more and holds (`held`) until a snapshot or rebase raises its step limit.
   */
  snapshot(hold: number): Promise<WeightsAtStep> {
    return this.weights({ type: 'snapshot', id: this.nextRequest(), hold }, 'snapshot');
  }

  /** Replaces the task's weights (the vector's buffer moves to the thread); rejects if the thread refuses them. */
  async writeWeights(values: Float32Array): Promise<void> {
    const reply = await this.request({ type: 'writeWeights', id: this.nextRequest(), values }, [values.buffer as ArrayBuffer]);
    if (reply.type === 'wrote' && reply.error !== null) throw new Error(`the trainer refused the weights: ${reply.error}`);
  }

  /** Paints `values` (its buffer moves to the thread) as round `round`'s picture; the thread's weights stay. */
  async paint(values: Float32Array, round: number): Promise<void> {
    const reply = await this.request({ type: 'paint', id: this.nextRequest(), values, round }, [values.buffer as ArrayBuffer]);
    if (reply.type === 'wrote' && reply.error !== null) throw new Error(`the trainer refused to paint: ${reply.error}`);
  }

  /**
   * Each candidate's loss improvements over `base` on its assigned data and on `random` (see scoring.ts),
   * served between whole steps. The vectors are copied, not moved: the caller's updates are still the round's
   * to aggregate. Rejects with the thread's reason if it refuses.
   */
  async score(request: ScoreRequest): Promise<Improvement[]> {
    const reply = await this.request({ type: 'score', id: this.nextRequest(), ...request });
    if (reply.type !== 'scored') throw new Error('the trainer answered a score request with the wrong message');
    if (reply.error !== null || !reply.improvements) throw new Error(`the trainer refused to score: ${reply.error}`);
    return reply.improvements;
  }

  /**
   * Moves the weights by `shift` (its buffer moves to the thread), then sets the assignment and the step limit,
   * all between the same two steps; rejects with the thread's reason if it refuses, and then nothing changed.
   */
  async rebase({ shift, assignment, stepLimit }: Rebase): Promise<void> {
    const message: TrainerRequest = { type: 'rebase', id: this.nextRequest(), shift, assignment, ...(stepLimit !== undefined ? { stepLimit } : {}) };
    const reply = await this.request(message, shift ? [shift.buffer as ArrayBuffer] : []);
    if (reply.type === 'wrote' && reply.error !== null) throw new Error(`the trainer refused the rebase: ${reply.error}`);
  }

  private async weights(message: TrainerRequest, what: string): Promise<WeightsAtStep> {
    const reply = await this.request(message);
    if (reply.type === 'wrote') throw new Error(`the trainer refused the ${what}: ${reply.error}`);
    if (reply.type !== 'weights') throw new Error(`trainer answered a ${what} with the wrong message`);
    return { manifest: reply.manifest, values: reply.values, step: reply.step };
  }

  private nextRequest(): number {
    return ++this.requests;
  }

  private request(message: TrainerRequest, transfer: ArrayBuffer[] = []): Promise<FromTrainer> {
    if (this.hasExited) return Promise.reject(new Error('the trainer has exited'));
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject });
      this.thaw();
      this.link.post(message, transfer);
    });
  }

  private answer(id: number, reply: FromTrainer): void {
    this.pending.get(id)?.resolve(reply);
    this.pending.delete(id);
  }

  /** New intervals and duty cycle, taken between steps. */
  updateSettings({ sampleIntervalSeconds, workUnitSeconds, intensity }: TrainerSettings): void {
    this.thaw();
    if (!this.hasExited) this.link.post({ type: 'settings', sampleIntervalSeconds, workUnitSeconds, intensity } satisfies ToTrainer);
  }

  /** Finishes the current step, checkpoints, and ends the thread (terminated if it overruns the timeout). */
  async stop(timeoutMs = 30_000): Promise<void> {
    this.stopRequested = true;
    this.thaw();
    this.link.stop();
    const timer = setTimeout(() => this.link.terminate(), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Settles the `count` oldest waiters; the newest of them gets `newestAt`, the overtaken ones now. */
  private settle(count: number, newestAt: number): void {
    const done = this.waiters.splice(0, count);
    const now = preciseNow();
    done.forEach(({ settle }, i) => settle(i === done.length - 1 ? newestAt : now));
  }

  /** An acknowledgement of command `seq`: settles it and every command before it; only the latest sets state. */
  private acknowledged(seq: number, at: number): boolean {
    const index = this.waiters.findIndex((waiter) => waiter.seq === seq);
    if (index >= 0) this.settle(index + 1, at);
    return seq === this.seq;
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
        if (this.acknowledged(message.seq, message.at) && this.wantPaused) this.events.paused();
        return;
      case 'resumed':
        if (this.acknowledged(message.seq, preciseNow()) && !this.wantPaused) this.events.resumed();
        return;
      case 'held':
        return this.events.held?.(message.step);
      case 'disk':
        return this.events.disk(message.full);
      case 'weights':
      case 'wrote':
      case 'scored':
        return this.answer(message.id, message);
      case 'warning':
        return this.events.warning(message.message);
      case 'stopped':
        return;
      case 'error':
        return this.fail(message.message, message.stack);
    }
  }
}
