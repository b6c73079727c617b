/**
 * The host's side of freezing a trainer process (trainer-host.ts), over a fake channel that records what it is
 * sent and signalled: a pause stops the process at once and lets it go after FREEZE_MS, anything asked of it
 * lets it go first, and a trainer that can be frozen is asked for long micro-steps. The real process is in
 * test/integration/worker/trainer-process.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeCommand, type FromTrainerProcess, type ToTrainerProcess } from '../../../../worker/training/protocol.js';
import { FREEZABLE_MICRO_STEP_MS, FREEZE_MS, TrainerHost } from '../../../../worker/training/trainer-host.js';
import type { TrainerSpawner } from '../../../../worker/training/trainer-link.js';
import { quietEvents, testTrainerConfig } from '../../../helpers/trainer.js';

/** A trainer process as the host sees it; `signals: false` is one that cannot be frozen (Windows). */
function fakeTrainer(signals: boolean) {
  const sent: ToTrainerProcess[] = [];
  /** Messages and signals in the order they went out: `send:<type>`, `signal:<name>`. */
  const order: string[] = [];
  let deliver: ((message: FromTrainerProcess) => void) | null = null;
  const spawn: TrainerSpawner = (handlers) => {
    deliver = handlers.message;
    return {
      send(message) {
        sent.push(message);
        order.push(`send:${message.type}`);
      },
      kill() {},
      ...(signals ? { signal: (name: 'SIGSTOP' | 'SIGCONT') => (order.push(`signal:${name}`), true) } : {}),
    };
  };
  return { spawn, sent, order, reply: (message: FromTrainerProcess) => deliver!(message) };
}

async function started(signals: boolean) {
  const trainer = fakeTrainer(signals);
  const paused = vi.fn();
  const starting = TrainerHost.start(testTrainerConfig('/nowhere/run.ckpt'), quietEvents({ paused }), false, { isolation: 'process', spawn: trainer.spawn });
  trainer.reply({ type: 'ready', backend: 'wasm', step: 0, restoredUnit: null });
  const { host } = await starting;
  return { ...trainer, host, paused };
}

const lastCommand = (sent: ToTrainerProcess[]) => decodeCommand((sent.filter((m) => m.type === 'command').at(-1) as { word: number }).word);

describe('freezing a trainer process', () => {
  afterEach(() => void vi.useRealTimers());

  it('asks a trainer it can freeze for long micro-steps, and one it cannot for the short default', async () => {
    const config = (sent: ToTrainerProcess[]) => (sent[0] as Extract<ToTrainerProcess, { type: 'init' }>).config;
    expect(config((await started(true)).sent).microStepTargetMs).toBe(FREEZABLE_MICRO_STEP_MS);
    expect(config((await started(false)).sent).microStepTargetMs).toBeUndefined();
  });

  it('a pause sends the command, then stops the process, and is confirmed without waiting for the trainer', async () => {
    vi.useFakeTimers();
    const { host, order, paused } = await started(true);
    let confirmed = false;
    void host.pause().then(() => (confirmed = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(confirmed).toBe(true);
    expect(paused).toHaveBeenCalledTimes(1);
    expect(order.slice(-2)).toEqual(['send:command', 'signal:SIGSTOP']);
    // Let go after FREEZE_MS, to end its step and wait.
    await vi.advanceTimersByTimeAsync(FREEZE_MS - 1);
    expect(order.at(-1)).toBe('signal:SIGSTOP');
    await vi.advanceTimersByTimeAsync(1);
    expect(order.at(-1)).toBe('signal:SIGCONT');
  });

  it('lets a frozen trainer go before anything is asked of it, and before a resume', async () => {
    const { host, order, sent } = await started(true);
    await host.pause();
    void host.readWeights().catch(() => undefined);
    expect(order.slice(-2)).toEqual(['signal:SIGCONT', 'send:readWeights']);
    await host.pause();
    void host.resume();
    expect(order.slice(-2)).toEqual(['signal:SIGCONT', 'send:command']);
    expect(lastCommand(sent).paused).toBe(false);
    // Not frozen: nothing to let go.
    host.updateSettings({ sampleIntervalSeconds: 1, workUnitSeconds: 1, intensity: 1 });
    expect(order.at(-1)).toBe('send:settings');
  });

  it('a trainer that cannot be frozen confirms its pause itself, where its micro-step ends', async () => {
    const { host, sent, order, reply } = await started(false);
    let confirmed = false;
    const pausing = host.pause().then(() => (confirmed = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(confirmed).toBe(false);
    expect(order.some((entry) => entry.startsWith('signal:'))).toBe(false);
    reply({ type: 'paused', seq: lastCommand(sent).seq, step: 3, at: 1, endedEarly: null });
    await pausing;
    expect(confirmed).toBe(true);
  });
});
