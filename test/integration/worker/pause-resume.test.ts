/**
 * Pause and resume against the real trainer thread, in random back-to-back sequences: every call settles
 * within a bound, and once a sequence has settled the state reported equals the last call and what the
 * trainer really does (checked by watching for training progress at intervals). Then the node on top.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { EventMessage, RoundRecord, StateInfo } from '../../../worker/api/contract.js';
import { quietEvents, testTrainerConfig } from '../../helpers/trainer.js';

// The built modules: the trainer thread is a compiled file (npm test builds first).
const dist = (path: string) => new URL(`../../../dist/worker/${path}`, import.meta.url).href;
const { TrainerHost, FREEZE_MS } = (await import(dist('training/trainer-host.js'))) as typeof import('../../../worker/training/trainer-host.js');
const { startNode } = (await import(dist('node.js'))) as typeof import('../../../worker/node.js');

/** How long the step must hold still to count as settled: past the trainer's progress report (once a second). */
const SETTLED_MS = 3000;

/**
 * The node's step once its pause has settled: a pause freezes a trainer process mid-step, and let go (after
 * FREEZE_MS, trainer-host.ts) it ends that step at the lowest priority — seconds on a busy machine — and
 * reports it. Fails if the step never holds still, as it would if the trainer went on training.
 */
async function stepOncePaused(node: { status(): { step: number } }): Promise<number> {
  await sleep(FREEZE_MS);
  const deadline = Date.now() + 30_000;
  let step = node.status().step;
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = node.status().step;
    if (now !== step) [step, since] = [now, Date.now()];
    else if (Date.now() - since >= SETTLED_MS) return step;
  }
  throw new Error(`paused, the node's step never held still for ${SETTLED_MS} ms (it reached ${step})`);
}

const SEQUENCES = Number(process.env.SEQ ?? 2000);
const SETTLE_BOUND_MS = 5000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: a fixed seed makes every run try the same sequences. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Resolves with 'settled', or 'timeout' after the bound: a hung call fails the test instead of hanging it. */
const bounded = (call: Promise<unknown>) =>
  Promise.race([call.then(() => 'settled' as const), sleep(SETTLE_BOUND_MS).then(() => 'timeout' as const)]);

describe('pause and resume', { timeout: 240_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-pause-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`settle and report the trainer's real state after ${SEQUENCES} random back-to-back sequences`, async () => {
    // Many short micro-steps: the most chances to race.
    const config = testTrainerConfig(join(dir, 'run.ckpt'), { batchSize: 8, microBatch: 1 });
    let reported: 'paused' | 'resumed' | null = null;
    let progressEvents = 0;
    const failures: string[] = [];
    const { host } = await TrainerHost.start(
      config,
      quietEvents({
        progress: () => void progressEvents++,
        paused: () => void (reported = 'paused'),
        resumed: () => void (reported = 'resumed'),
        failed: (message) => void failures.push(message),
      }),
    );
    try {
      const random = prng(20261202);
      let calls = 0;
      let timeouts = 0;
      for (let i = 0; i < SEQUENCES; i++) {
        const pending: Array<Promise<unknown>> = [];
        let last: 'pause' | 'resume' = 'resume';
        for (let j = 1 + Math.floor(random() * 4); j > 0; j--) {
          last = random() < 0.5 ? 'pause' : 'resume';
          pending.push(last === 'pause' ? host.pause() : host.resume());
          const gap = random();
          if (gap < 0.2) await new Promise((resolve) => setImmediate(resolve));
          else if (gap < 0.3) await sleep(random() * 20);
        }
        calls += pending.length;
        timeouts += (await Promise.all(pending.map(bounded))).filter((outcome) => outcome === 'timeout').length;
        expect(reported, `sequence ${i}`).toBe(last === 'pause' ? 'paused' : 'resumed');
        if (i % 250 === 249) {
          // The trainer's real state: while it trains, progress comes within a second or so of each step (a
          // loaded CI machine can stretch a step, so a resumed trainer gets a generous bound to show it); a
          // paused one, once a frozen trainer has been let go to end its step, stays silent for 1.5 s.
          if (last === 'resume') {
            const before = progressEvents;
            await expect.poll(() => progressEvents, { timeout: 15_000, message: `sequence ${i} ended with resume` }).toBeGreaterThan(before);
          } else {
            await sleep(FREEZE_MS + 500);
            const before = progressEvents;
            await sleep(1500);
            expect(progressEvents, `sequence ${i} ended with pause`).toBe(before);
          }
        }
      }
      expect({ calls: calls > SEQUENCES, timeouts, failures }).toEqual({ calls: true, timeouts: 0, failures: [] });
    } finally {
      await host.stop();
    }
    // A guard against a hang, not a speed target: alone it takes 134 s on this 2-core machine on a slow day, and
    // well over 240 s beside another test file, most of it waiting for a loaded trainer to show progress.
  }, 600_000);

  it('the node reports the last of two back-to-back calls, and trains (or not) accordingly', async () => {
    const node = await startNode({ dataDir: join(dir, 'node'), backend: 'wasm', model: 'mlp-gan' });
    const states: StateInfo[] = [];
    node.hub.connect((message) => {
      if (message.kind === 'event' && (message as EventMessage).event === 'state') states.push((message as EventMessage).data as StateInfo);
    });
    let id = 0;
    const call = (method: 'pause' | 'resume') => node.hub.dispatcher.handle({ kind: 'call', id: ++id, method, params: {} });
    try {
      for (let trial = 0; trial < 30; trial++) {
        const [first, second] = trial % 2 === 0 ? (['pause', 'resume'] as const) : (['resume', 'pause'] as const);
        const replies = await Promise.all([call(first), call(second)]);
        const expected = second === 'pause' ? 'paused' : 'training';
        expect(node.status().state, `trial ${trial}: ${first} then ${second}`).toBe(expected);
        // The second call's reply is the state it was confirmed in (the first may have been confirmed before it).
        expect(replies[1]).toMatchObject({ kind: 'result', result: { state: expected } });
      }
      // Ends with a pause: the trainer really stopped (once a frozen trainer, let go, has ended its step).
      const step = await stepOncePaused(node);
      await sleep(1500);
      expect(node.status().step).toBe(step);
      await call('resume');
      await expect.poll(() => node.status().step, { timeout: 15_000 }).toBeGreaterThan(step);
      expect(states.at(-1)).toMatchObject({ state: 'training', reason: 'running' });
    } finally {
      await node.stop();
    }
  });

  it("'finish the round, then pause' trains until the round's contribution is out, then pauses (and it counts)", async () => {
    const node = await startNode({
      dataDir: join(dir, 'rounds'),
      backend: 'wasm',
      model: 'tiny-gan',
      batchSize: 8,
      network: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, roundSeconds: 4, innerSteps: 1000, chain: 'none' },
    });
    const states: StateInfo[] = [];
    node.hub.connect((message) => {
      if (message.kind === 'event' && (message as EventMessage).event === 'state') states.push((message as EventMessage).data as StateInfo);
    });
    const call = (method: 'pauseAfterRound' | 'resume') => node.hub.dispatcher.handle({ kind: 'call', id: 1, method, params: {} });
    try {
      // In a round, training, with nothing sent yet for it.
      await expect.poll(() => node.network().round?.phase === 'training' && node.status().step > 0 && !node.network().round?.contributed, { timeout: 30_000 }).toBe(true);
      const round = node.network().round!.round;
      const reply = await call('pauseAfterRound');
      expect(reply).toMatchObject({ kind: 'result', result: { state: 'training', cause: { kind: 'finishing-round', round }, reasonText: `Finishing round ${round}, then pausing` } });
      const step = node.status().step;
      await expect.poll(() => node.status().state, { timeout: 30_000 }).toBe('paused');
      expect(node.status()).toMatchObject({ reason: 'user', cause: { kind: 'paused-by-user' }, reasonText: 'Paused by you' });
      expect(node.status().step).toBeGreaterThan(step); // it trained on while the round ran
      // The round it finished has this node's contribution in it.
      const history = (await node.hub.dispatcher.handle({ kind: 'call', id: 2, method: 'roundHistory', params: { limit: 50 } })) as { result: { rounds: RoundRecord[] } };
      expect(history.result.rounds.find((r) => r.round === round)?.own).not.toBeNull();
      expect(states.map((s) => s.reasonText)).toContain(`Finishing round ${round}, then pausing`);
      const paused = await stepOncePaused(node);
      await sleep(1500);
      expect(node.status().step).toBe(paused);
      await call('resume');
      await expect.poll(() => node.status().step, { timeout: 15_000 }).toBeGreaterThan(paused);
    } finally {
      await node.stop();
    }
  });
});
