/**
 * The scheduler in a real node: in idle mode the desktop app's "user active" signal stops the trainer
 * (the call resolves once it has stopped, and no step runs after), its "idle" signal starts it again; a
 * desktop app that stops reporting is forgotten; "pause for an hour" holds even an idle machine and says
 * until when, and Resume ends it; the user's own Pause outranks the schedule.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReplyMessage, StateInfo } from '../../../worker/api/contract.js';

const dist = (path: string) => new URL(`../../../dist/worker/${path}`, import.meta.url).href;
const { startNode } = (await import(dist('node.js'))) as typeof import('../../../worker/node.js');
const { REPORT_FRESH_MS } = (await import(dist('scheduler/signals.js'))) as typeof import('../../../worker/scheduler/signals.js');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the scheduler in a node', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-scheduler-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the trainer while the user is at the computer, frees it when idle, and pauses for a while', async () => {
    // Other programs' load is measured as 0: the test is about the user's signals, not this machine's load.
    const node = await startNode({ dataDir: join(dir, 'node'), backend: 'wasm', model: 'mlp-gan', scheduler: { sampleLoad: () => 0, temperature: async () => null, tickMs: 100 } });
    let id = 0;
    const call = async (method: string, params: object = {}): Promise<StateInfo> => {
      const reply = (await node.hub.dispatcher.handle({ kind: 'call', id: ++id, method, params })) as ReplyMessage;
      if (reply.kind !== 'result') throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
      return reply.result as StateInfo;
    };
    try {
      await expect.poll(() => node.status().step, { timeout: 30_000 }).toBeGreaterThan(0);
      await call('setSettings', { scheduleMode: 'idle', idleThresholdSeconds: 60 });
      // Always trained before; idle mode with no signal from a desktop app keeps training (a headless rig).
      expect(node.status().state).toBe('training');

      // The user touches the mouse: the reply comes once the trainer has stopped.
      expect(await call('reportSignals', { idleSeconds: 0, screenLocked: false })).toEqual({ state: 'paused', reason: 'schedule', cause: { kind: 'schedule', reason: 'in-use', until: null, temperatureC: null }, reasonText: 'Paused: you are using the computer' });
      const step = node.status().step;
      await sleep(800);
      expect(node.status().step).toBe(step);
      expect(node.status().samplesPerSecond).toBe(0);

      // Away long enough: training again.
      expect(await call('reportSignals', { idleSeconds: 61 })).toMatchObject({ state: 'training', reason: 'running' });
      await expect.poll(() => node.status().step, { timeout: 15_000 }).toBeGreaterThan(step);

      // A desktop app that stopped reporting is forgotten: its last "active" holds only while fresh.
      await call('reportSignals', { idleSeconds: 0 });
      expect(node.status().reason).toBe('schedule');
      await expect.poll(() => node.status().state, { timeout: REPORT_FRESH_MS + 5000 }).toBe('training');

      // Pause for an hour holds an idle machine and says until when; Resume ends it.
      const paused = await call('pauseFor', { minutes: 60 });
      expect(paused).toMatchObject({ state: 'paused', reason: 'user', cause: { kind: 'schedule', reason: 'paused-until', until: expect.any(Number), temperatureC: null }, reasonText: expect.stringMatching(/^Paused by you until \d\d:\d\d$/) });
      expect((await call('getSettings')) as unknown as { pauseUntil: number | null }).toMatchObject({ pauseUntil: expect.any(Number) });
      expect(await call('resume')).toMatchObject({ state: 'training' });
      expect((await call('getSettings')) as unknown as { pauseUntil: number | null }).toMatchObject({ pauseUntil: null });

      // The user's Pause outranks the schedule, and a Resume then still obeys it.
      await call('reportSignals', { idleSeconds: 0 });
      expect(await call('pause')).toMatchObject({ state: 'paused', reason: 'user' });
      expect(await call('resume')).toMatchObject({ state: 'paused', reason: 'schedule' });
    } finally {
      await node.stop();
    }
  });
});
