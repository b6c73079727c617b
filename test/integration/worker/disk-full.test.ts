/**
 * A node on real, small filesystems that fill up: the data dir (ledger) on one tmpfs and the checkpoints on
 * another. A full disk under either is a paused state with a reason in words, the node stays up and answers,
 * no work is lost or recorded twice, and training resumes by itself when room returns.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MinerNode } from '../../../worker/node.js';
import { watchNode, type NodeEvents } from '../../helpers/node-events.js';
import { canMountTmpfs, mountTmpfs, type Tmpfs } from '../../helpers/tmpfs.js';

const { startNode } = (await import(new URL('../../../dist/worker/node.js', import.meta.url).href)) as typeof import('../../../worker/node.js');
const { progressLine } = (await import(new URL('../../../dist/worker/cli/node-command.js', import.meta.url).href)) as typeof import('../../../worker/cli/node-command.js');

describe.runIf(canMountTmpfs)('a full disk', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'airtist-full-'));
  let ledgerDisk: Tmpfs;
  let checkpointDisk: Tmpfs;
  let node: MinerNode;
  let events: NodeEvents;
  const until = (condition: () => boolean) => events.until(condition);
  const states = () => events.states;
  const units = () => events.units;
  let id = 0;
  const call = (method: string, params: unknown = {}) => node.hub.dispatcher.handle({ kind: 'call', id: ++id, method, params });

  beforeAll(async () => {
    ledgerDisk = mountTmpfs(8, dataDir)!;
    mkdirSync(join(dataDir, 'checkpoints'));
    checkpointDisk = mountTmpfs(48, join(dataDir, 'checkpoints'))!;
    node = await startNode({ dataDir, backend: 'wasm', model: 'mlp-gan', reserveDiskBytes: 1_000_000 });
    events = watchNode(node);
    await call('setSettings', { workUnitSeconds: 5 });
  });
  afterAll(async () => {
    await node?.stop();
    checkpointDisk?.unmount();
    ledgerDisk?.unmount();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const expectContiguous = () => {
    const sorted = [...units()].sort((a, b) => a.stepStart - b.stepStart);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.stepStart).toBe(sorted[i - 1]!.stepEnd);
  };

  it('under the ledger: pauses with the reason, answers calls with an error, and records everything once room returns', async () => {
    await until(() => units().length >= 1);
    const filler = ledgerDisk.fill(0);
    await until(() => states().at(-1)?.reason === 'disk');
    expect(states().at(-1)).toMatchObject({ state: 'paused', reasonText: expect.stringMatching(/^Paused: the disk is full \(0 MB free; the ledger needs room/) });
    expect(progressLine(node)).toContain('Paused: the disk is full');
    // A write through the API fails with a reply, not a crash; reads still work.
    expect(await call('setSettings', { sampleIntervalSeconds: 9 })).toMatchObject({ kind: 'error', error: { code: 'INTERNAL', message: expect.stringMatching(/full/) } });
    expect(await call('status')).toMatchObject({ kind: 'result', result: { state: 'paused', reason: 'disk' } });
    const step = node.status().step;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(node.status().step).toBe(step); // training holds while nothing can be recorded

    const recordedWhileFull = units().length;
    rmSync(filler);
    await until(() => states().at(-1)?.state === 'training' && units().length > recordedWhileFull);
    expectContiguous();
    expect(units().at(-1)!.stepEnd).toBeGreaterThanOrEqual(step); // the unit closed while full was kept, then recorded
  });

  it('under the checkpoints: pauses with the sizes, keeps the steps, and resumes by itself', async () => {
    const before = units().length;
    const filler = checkpointDisk.fill(200_000);
    await until(() => states().at(-1)?.reason === 'disk');
    expect(states().at(-1)!.reasonText).toMatch(/^Paused: the disk is full \(0 MB free, a checkpoint needs 1[34] MB\)$/);
    expect(units().length).toBe(before); // no unit is recorded ahead of its checkpoint
    const { state } = node.status();
    expect(state).toBe('paused');

    rmSync(filler);
    await until(() => states().at(-1)?.state === 'training' && units().length > before);
    expectContiguous();
    expect(node.status().state).toBe('training');
  });
});
