/**
 * The round driver's one line of work: gossip, payloads, timers and the trainer all hand it tasks, and each
 * runs after every earlier one has settled, so no two of them ever see the round half-changed. A failed task
 * is logged and the line goes on; nothing is thrown back into gossip or a timer. A task that holds the line
 * for long is logged by what it was (everything else about the round waited behind it). Once stopped, queued
 * tasks and pending timers do nothing.
 */

/** A task that holds the line for longer than this is logged. */
export const SLOW_TASK_MS = 1000;

export class SerialTasks {
  private queue: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private halted = false;

  constructor(
    private readonly log: (line: string) => void,
    private readonly slowMs = SLOW_TASK_MS,
  ) {}

  get stopped(): boolean {
    return this.halted;
  }

  /** Runs `task` after every earlier one; resolves once it has run (or failed, logged). */
  enqueue(what: string, task: () => Promise<void> | void): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.halted) return;
      const started = performance.now();
      await task();
      const took = performance.now() - started;
      if (took > this.slowMs) this.log(`rounds: handling ${what} took ${Math.round(took)} ms`);
    });
    this.queue = next.catch((error: Error) => {
      this.log(`rounds: ${error.message}`);
    });
    return this.queue;
  }

  /** Queues `task` in `ms` (at once if negative). */
  after(what: string, ms: number, task: () => Promise<void> | void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.enqueue(what, task);
    }, Math.max(0, ms));
    this.timers.add(timer);
  }

  /** Clears the timers, lets queued tasks fall through, and waits for the one running now. */
  async stop(): Promise<void> {
    this.halted = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.queue;
  }
}
