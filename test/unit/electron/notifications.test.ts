import { describe, expect, it, vi } from 'vitest';
import type { EventName } from '../../../worker/api/contract.js';
import { createNotifier } from '../../../electron/notifications.js';
import { flush } from './fakes.js';

class FakeNotification {
  static shown: FakeNotification[] = [];
  static supported = true;
  static isSupported = () => FakeNotification.supported;
  private click: (() => void) | null = null;
  constructor(readonly options: { title: string; body: string }) {}
  show() {
    FakeNotification.shown.push(this);
  }
  on(_event: 'click', listener: () => void) {
    this.click = listener;
  }
  clicked() {
    this.click?.();
  }
}

function setup(state: { accepted: number; claimableWei: string; latestEpoch: number | null; address?: string | null }) {
  FakeNotification.shown = [];
  const listeners = new Map<string, () => void>();
  const call = vi.fn(async (method: string) => {
    if (method === 'earnings') return { totals: { accepted: state.accepted } };
    if (method === 'walletStatus') return { address: state.address === undefined ? '0xabc' : state.address, chain: { state: 'ready' } };
    if (method === 'walletBalances') return { claimableWei: state.claimableWei, latestEpoch: state.latestEpoch };
    throw new Error(method);
  });
  const api = { call, on: (event: EventName, listener: () => void) => void listeners.set(event, listener) } as never;
  const openWindow = vi.fn();
  const notifier = createNotifier({ Notification: FakeNotification, api, openWindow, everyMs: 0 });
  const tick = async () => {
    listeners.get('network')!();
    await flush();
  };
  return { notifier, tick, openWindow, titles: () => FakeNotification.shown.map((n) => n.options.title) };
}

describe('notifications', () => {
  it('announce the first accepted contribution once, only when it is the first ever', async () => {
    const state = { accepted: 0, claimableWei: '0', latestEpoch: null };
    const { tick, titles, openWindow } = setup(state);
    await tick();
    expect(titles()).toEqual([]);
    state.accepted = 1;
    await tick();
    state.accepted = 2;
    await tick();
    expect(titles()).toEqual(['Your first contribution was accepted']);
    FakeNotification.shown[0]!.clicked();
    expect(openWindow).toHaveBeenCalledWith('earnings');

    // A node that had accepted work before this start announces nothing.
    const again = setup({ accepted: 5, claimableWei: '0', latestEpoch: null });
    await again.tick();
    expect(again.titles()).toEqual([]);
  });

  it('announce AIRT to claim once per epoch root, not after it is claimed', async () => {
    const state = { accepted: 3, claimableWei: '2500000000000000000', latestEpoch: 4 };
    const { tick, titles } = setup(state);
    await tick();
    await tick();
    expect(titles()).toEqual(['AIRT to claim']);
    expect(FakeNotification.shown[0]!.options.body).toBe('2.5 AIRT can be claimed into your wallet.');
    state.claimableWei = '0';
    state.latestEpoch = 5;
    await tick();
    expect(titles()).toHaveLength(1);
    state.claimableWei = '1000000000000000000';
    state.latestEpoch = 6;
    await tick();
    expect(titles()).toEqual(['AIRT to claim', 'AIRT to claim']);
  });

  it('say that the worker crashed, and nothing where the OS has no notifications', () => {
    const { notifier, titles } = setup({ accepted: 0, claimableWei: '0', latestEpoch: null, address: null });
    notifier.workerCrashed(1, 2400);
    expect(titles()).toEqual(['The miner stopped unexpectedly']);
    expect(FakeNotification.shown[0]!.options.body).toBe('It restarts in 2 s (exit code 1); your work so far is saved.');
    FakeNotification.supported = false;
    notifier.workerCrashed(1, 1000);
    expect(titles()).toHaveLength(1);
    FakeNotification.supported = true;
  });
});
