/**
 * The loss chart's history survives a restart: a node started again on its data dir answers progressHistory
 * at once with the losses of the work it recorded before (not an empty chart at step 496). Before a fresh
 * node's first unit is recorded, its work shows as in progress.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressPoint, ReplyMessage } from '../../../worker/api/contract.js';

const dist = (path: string) => new URL(`../../../dist/worker/${path}`, import.meta.url).href;
const { startNode } = (await import(dist('node.js'))) as typeof import('../../../worker/node.js');

describe('the progress history across a restart', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-history-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts from the recorded work units', async () => {
    const options = { dataDir: join(dir, 'node'), backend: 'wasm' as const, model: 'mlp-gan' as const };
    const first = await startNode(options);
    await expect.poll(() => first.status().step, { timeout: 30_000 }).toBeGreaterThan(2);
    // Before its first unit is recorded, a fresh node's work shows as in progress, not as nothing.
    const { step, batchSize, work } = first.status();
    expect(work.today.samples).toBe(0);
    expect(work.inProgress.samples).toBeGreaterThanOrEqual(step * batchSize - batchSize * 2);
    expect(work.inProgress.samples).toBeGreaterThan(0);
    await first.stop(); // records the open unit
    const second = await startNode(options);
    try {
      const reply = (await second.hub.dispatcher.handle({ kind: 'call', id: 1, method: 'progressHistory', params: {} })) as ReplyMessage;
      const history = reply.kind === 'result' ? (reply.result as ProgressPoint[]) : [];
      expect(history.length).toBeGreaterThan(0);
      const [point] = history;
      expect(point!.step).toBeGreaterThan(0);
      expect(point!.step).toBeLessThanOrEqual(second.status().step);
      expect(Object.keys(point!.losses).sort()).toEqual(['discriminator', 'generator']);
      expect(point!.samplesPerSecond).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });
});
