/**
 * The training compute runs at the lowest OS priority, the node's own thread at its own: on Linux, where a
 * nice value belongs to a thread, the trainer thread (and nothing else of the process) is at nice 19 while
 * it trains, so the user's programs take the CPU back at once, even mid-step.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { quietEvents, testTrainerConfig } from '../../helpers/trainer.js';

const { TrainerHost } = (await import(new URL('../../../dist/worker/training/trainer-host.js', import.meta.url).href)) as typeof import('../../../worker/training/trainer-host.js');

/** Each thread of this process with its nice value (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
      nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended while we looked
    }
  }
  return nices;
}

describe.runIf(process.platform === 'linux')('the trainer thread priority', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-priority-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the lowest for the trainer thread only', async () => {
    const before = threadNices();
    const { host } = await TrainerHost.start(testTrainerConfig(join(dir, 'run.ckpt')), quietEvents(), false, { isolation: 'thread' });
    try {
      const during = threadNices();
      const niced = [...during].filter(([tid, nice]) => nice === 19 && before.get(tid) !== 19);
      expect(niced.length, JSON.stringify([...during])).toBeGreaterThanOrEqual(1);
      // The process's main thread (the node's event loop: the API, the peers) keeps its priority.
      expect(during.get(process.pid)).toBe(before.get(process.pid));
      expect(during.get(process.pid)).not.toBe(19);
    } finally {
      await host.stop();
    }
  });
});
