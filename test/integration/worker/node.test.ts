/**
 * The headless miner as a user runs it: a real child process on loopback, a real SQLite ledger, real
 * training in a worker thread. Pause/resume, work recorded, kill -9 and restart, clean shutdown.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressPoint, WorkUnit } from '../../../worker/api/contract.js';
import { connectApi, nextEvent, sleep, startNodeProcess, type NodeProcess } from '../../helpers/node-process.js';

describe('airtist node (headless miner)', { timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'airtist-node-'));
  const running: NodeProcess[] = [];
  afterAll(() => {
    for (const node of running) node.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async () => {
    const node = await startNodeProcess(dataDir);
    running.push(node);
    return node;
  };

  let unitsBeforeKill: WorkUnit[] = [];

  it('trains, pauses without losing a step, resumes, and records work', async () => {
    const node = await start();
    expect(node.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    const api = await connectApi(node);

    // Work units every 5 s so that this test sees several.
    await api.call('setSettings', { workUnitSeconds: 5 });
    const first = await nextEvent<ProgressPoint>(api, 'progress', (p) => p.samplesPerSecond > 0);
    const status = await api.call('status');
    expect(status).toMatchObject({ state: 'training', backend: 'wasm', model: 'mlp-gan', dataset: 'mnist' });
    expect(first.step).toBeGreaterThan(0);

    const paused = await api.call('pause');
    expect(paused).toMatchObject({ state: 'paused', reason: 'user' });
    // The pause froze the trainer mid-step; let go a moment later, it ends that step and the pause closes the open
    // work unit: everything trained is then in the ledger. (Frozen between two steps, it has no unit to close.)
    await nextEvent<WorkUnit>(api, 'work', () => true, 10_000).catch(() => null);
    const stepAtPause = (await api.call('status')).step;
    let progressWhilePaused = 0;
    const off = api.on('progress', () => progressWhilePaused++);
    await sleep(2000);
    off();
    const afterWait = await api.call('status');
    expect(afterWait.step).toBe(stepAtPause);
    expect(afterWait.samplesPerSecond).toBe(0);
    expect(progressWhilePaused).toBe(0);
    const history = await api.call('workHistory', { limit: 100 });
    expect(history.units[0]?.stepEnd).toBe(stepAtPause);

    await api.call('resume');
    const resumed = await nextEvent<ProgressPoint>(api, 'progress', (p) => p.step > stepAtPause);
    expect(resumed.samplesPerSecond).toBeGreaterThan(0);

    // A unit closes on its timer while training.
    const unit = await nextEvent<WorkUnit>(api, 'work', (u) => u.stepStart >= stepAtPause, 20_000);
    expect(unit.samples).toBe((unit.stepEnd - unit.stepStart) * status.batchSize);
    unitsBeforeKill = (await api.call('workHistory', { limit: 1000 })).units;
    expect(unitsBeforeKill.length).toBeGreaterThanOrEqual(2);

    // Unauthenticated scripts get nothing.
    expect((await fetch(`http://127.0.0.1:${node.port}/api/status`)).status).toBe(401);
    const metrics = await fetch(`http://127.0.0.1:${node.port}/metrics`, { headers: { authorization: `Bearer ${node.token}` } });
    expect(await metrics.text()).toMatch(/^airtist_training 1$/m);

    // kill -9 in the middle of training.
    api.close();
    node.child.kill('SIGKILL');
    expect(await node.exited).toBe('SIGKILL');
  });

  it('survives kill -9: the ledger is intact, no recorded work is lost, training resumes from the checkpoint', async () => {
    const db = new Database(join(dataDir, 'ledger.sqlite'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('SELECT COUNT(*) AS n FROM work_units').get() as { n: number };
    expect(rows.n).toBeGreaterThanOrEqual(unitsBeforeKill.length);
    db.close();

    const node = await start();
    const api = await connectApi(node);
    const status = await api.call('status');
    const lastRecorded = Math.max(...unitsBeforeKill.map((u) => u.stepEnd));
    // Resumed from the checkpoint, which is at least as new as the last recorded unit.
    expect(status.step).toBeGreaterThanOrEqual(lastRecorded);
    const history = await api.call('workHistory', { limit: 1000 });
    for (const unit of unitsBeforeKill) expect(history.units).toContainEqual(unit);
    // Units tile the steps without overlap: nothing was recorded twice.
    const sorted = [...history.units].sort((a, b) => a.stepStart - b.stepStart);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.stepStart).toBe(sorted[i - 1]!.stepEnd);
    expect(sorted.at(-1)!.stepEnd).toBeLessThanOrEqual(status.step);

    await nextEvent<ProgressPoint>(api, 'progress', (p) => p.step > status.step);
    api.close();

    // SIGTERM: checkpoint, close the ledger, exit 0.
    node.child.kill('SIGTERM');
    expect(await node.exited).toBe(0);
    expect(node.output()).toContain('stopped');
    const after = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
    const ended = after.prepare('SELECT COUNT(*) AS n FROM sessions WHERE ended_at IS NULL').get() as { n: number };
    after.close();
    expect(ended.n).toBe(0);
  });
});
