import { afterEach, describe, expect, it, vi } from 'vitest';
import { SerialTasks } from '../../../../worker/rounds/serial.js';

const tick = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('SerialTasks', () => {
  afterEach(() => vi.useRealTimers());

  it('runs each task only after the one before it has settled, in the order they came', async () => {
    const tasks = new SerialTasks(() => undefined);
    const seen: string[] = [];
    void tasks.enqueue('slow', async () => {
      seen.push('slow starts');
      await tick(30);
      seen.push('slow ends');
    });
    await tasks.enqueue('quick', () => void seen.push('quick'));
    expect(seen).toEqual(['slow starts', 'slow ends', 'quick']);
  });

  it('logs a failed task and goes on with the next; the caller is not thrown at', async () => {
    const lines: string[] = [];
    const tasks = new SerialTasks((line) => lines.push(line));
    await expect(tasks.enqueue('a commit', () => Promise.reject(new Error('bad commit')))).resolves.toBeUndefined();
    let ran = false;
    await tasks.enqueue('next', () => void (ran = true));
    expect(ran).toBe(true);
    expect(lines).toEqual(['rounds: bad commit']);
  });

  it('names a task that held the line past the limit', async () => {
    const lines: string[] = [];
    const tasks = new SerialTasks((line) => lines.push(line), 10);
    await tasks.enqueue('a payload', () => tick(25));
    await tasks.enqueue('a quick one', () => undefined);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^rounds: handling a payload took \d+ ms$/);
  });

  it('queues a timer task in line, and once stopped runs neither pending timers nor queued tasks', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const tasks = new SerialTasks(() => undefined);
    const ran: string[] = [];
    tasks.after('the close', 100, () => void ran.push('close'));
    tasks.after('giving up', 500, () => void ran.push('give up'));
    await vi.advanceTimersByTimeAsync(150);
    expect(ran).toEqual(['close']);
    const stopping = tasks.stop();
    const queued = tasks.enqueue('late', () => void ran.push('late'));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all([stopping, queued]);
    expect(ran).toEqual(['close']);
    expect(tasks.stopped).toBe(true);
  });
});
