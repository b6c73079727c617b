import { describe, expect, it, vi } from 'vitest';
import type { ApiClient, EventName, StateInfo, Status } from '../../../worker/api/contract.js';
import { createTray, trayView } from '../../../electron/tray.js';
import { FakeMenu, FakeTray, fakeNativeImage, flush } from './fakes.js';

const TRAINING: StateInfo = { state: 'training', reason: 'running', cause: { kind: 'running' }, reasonText: 'Training' };
const PAUSED: StateInfo = { state: 'paused', reason: 'user', cause: { kind: 'paused-by-user' }, reasonText: 'Paused by you' };

/** An ApiClient stand-in whose events the test pushes and whose calls answer from `answers`. */
function fakeApi(answers: Partial<Record<string, unknown>>) {
  const listeners = new Map<string, Set<(data: unknown) => void>>();
  const call = vi.fn(async (method: string) => {
    if (!(method in answers)) throw new Error(`${method} unavailable`);
    return answers[method];
  });
  const api = {
    call,
    on(event: EventName, listener: (data: never) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener as (data: unknown) => void);
      return () => listeners.get(event)!.delete(listener as (data: unknown) => void);
    },
  } as unknown as Pick<ApiClient, 'call' | 'on'>;
  const emit = (event: EventName, data: unknown) => listeners.get(event)?.forEach((listener) => listener(data));
  return { api, call, emit };
}

function setup(answers: Partial<Record<string, unknown>> = {}) {
  FakeTray.instances = [];
  const { api, call, emit } = fakeApi(answers);
  const openWindow = vi.fn();
  const quit = vi.fn();
  const exportDiagnostics = vi.fn();
  const logs: string[] = [];
  const handle = createTray({
    Tray: FakeTray,
    Menu: FakeMenu,
    nativeImage: fakeNativeImage,
    iconPath: (state) => (state === 'plain' ? '/app/build/tray.png' : `/app/build/tray-${state}.png`),
    api,
    openWindow,
    exportDiagnostics,
    quit,
    log: (line) => logs.push(line),
  });
  return { handle, tray: FakeTray.instances[0]!, call, emit, openWindow, quit, exportDiagnostics, logs };
}

describe('trayView', () => {
  it('describes each state and offers Pause or Resume accordingly', () => {
    expect(trayView({ state: null, samplesPerSecond: null, todayWei: null, restarting: false })).toEqual({
      tooltip: 'AIRTIST Miner — Starting…',
      status: 'Starting…',
      earned: null,
      canPause: false,
      canResume: false,
    });
    expect(trayView({ state: null, samplesPerSecond: null, todayWei: null, restarting: true }).tooltip).toContain('restarting');
    expect(trayView({ state: TRAINING, samplesPerSecond: 123.4, todayWei: '12345000000000000000', restarting: false })).toEqual({
      tooltip: 'AIRTIST Miner — Training, 123 samples/s',
      status: 'Training',
      earned: 'AIRT earned today: 12.34',
      canPause: true,
      canResume: false,
    });
    expect(trayView({ state: TRAINING, samplesPerSecond: 0.06, todayWei: null, restarting: false }).tooltip).toBe(
      'AIRTIST Miner — Training, 0.1 samples/s',
    );
    expect(trayView({ state: PAUSED, samplesPerSecond: null, todayWei: null, restarting: false })).toEqual({
      tooltip: 'AIRTIST Miner — Paused by you',
      status: 'Paused by you',
      earned: null,
      canPause: false,
      canResume: true,
    });
    const failed = { state: 'error', reason: 'failure', cause: { kind: 'failure' }, reasonText: 'the trainer crashed' } as const;
    expect(trayView({ state: failed, samplesPerSecond: null, todayWei: null, restarting: false }).tooltip).toBe(
      'AIRTIST Miner — Error (the trainer crashed)',
    );
    // Held by the schedule, the node resumes by itself: Pause is offered, Resume is not.
    const held = { state: 'paused', reason: 'schedule', cause: { kind: 'schedule', reason: 'in-use', until: null, temperatureC: null }, reasonText: 'Paused: you are using the computer' } as const;
    expect(trayView({ state: held, samplesPerSecond: null, todayWei: null, restarting: false })).toMatchObject({ status: 'Paused: you are using the computer', canPause: true, canResume: false });
    const long = { ...failed, reasonText: 'x'.repeat(300) };
    const error = trayView({ state: long, samplesPerSecond: null, todayWei: null, restarting: false });
    expect(error.tooltip.length).toBeLessThanOrEqual(127);
    expect(error).toMatchObject({ canPause: false, canResume: false });
  });
});

describe('tray', () => {
  it('starts with everything disabled and the app icon', () => {
    const { tray } = setup();
    expect(tray.image).toEqual({ path: '/app/build/tray.png' });
    expect(tray.tooltip).toBe('AIRTIST Miner — Starting…');
    expect(tray.item('Pause').enabled).toBe(false);
    expect(tray.item('Resume').enabled).toBe(false);
    expect(tray.menu!.map((item) => item.label ?? item.type)).toEqual([
      'Starting…',
      'separator',
      'Pause',
      'Pause for 1 hour',
      'Finish the round, then pause',
      'Resume',
      'separator',
      'Open AIRTIST Miner',
      'Export diagnostics…',
      'separator',
      'Quit',
    ]);
    expect(tray.item('Export diagnostics…').enabled).toBe(false); // no worker to write it yet
  });

  it('takes the state from status, then follows state and progress events', async () => {
    const status = { ...TRAINING, samplesPerSecond: 42 } as Status;
    const { handle, tray, emit } = setup({ status });
    await handle.refresh();
    expect(tray.tooltip).toBe('AIRTIST Miner — Training, 42 samples/s');
    expect(tray.item('Pause').enabled).toBe(true);
    expect(tray.item('Resume').enabled).toBe(false);

    const builds = tray.menuBuilds;
    emit('progress', { step: 1, samplesPerSecond: 55.2, losses: { discriminator: 0, generator: 0 }, time: 0 });
    expect(tray.tooltip).toBe('AIRTIST Miner — Training, 55 samples/s');
    expect(tray.menuBuilds).toBe(builds); // progress never rebuilds the menu

    emit('state', PAUSED);
    expect(tray.tooltip).toBe('AIRTIST Miner — Paused by you');
    expect(tray.item('Pause').enabled).toBe(false);
    expect(tray.item('Resume').enabled).toBe(true);
    emit('progress', { step: 2, samplesPerSecond: 9, losses: { discriminator: 0, generator: 0 }, time: 0 });
    expect(tray.tooltip).toBe('AIRTIST Miner — Paused by you');
  });

  it('Pause and Resume call the API and show the state they return', async () => {
    const { handle, tray, call } = setup({ status: { ...TRAINING, samplesPerSecond: 1 }, pause: PAUSED, resume: TRAINING });
    await handle.refresh();
    tray.clickItem('Pause');
    await flush();
    expect(call).toHaveBeenLastCalledWith('pause');
    expect(tray.item('Resume').enabled).toBe(true);
    tray.clickItem('Resume');
    await flush();
    expect(call).toHaveBeenLastCalledWith('resume');
    expect(tray.item('Pause').enabled).toBe(true);
    expect(tray.tooltip).toBe('AIRTIST Miner — Training');
  });

  it('Pause for 1 hour pauses for 60 minutes, and the menu shows the state and the AIRT earned today', async () => {
    const until: StateInfo = { state: 'paused', reason: 'user', cause: { kind: 'paused-by-user' }, reasonText: 'Paused by you until 15:00' };
    const earnings = { totals: { todayWei: '2500000000000000000' } };
    const { handle, tray, call } = setup({ status: { ...TRAINING, samplesPerSecond: 1 }, pauseFor: until, earnings });
    await handle.refresh();
    await flush();
    expect(call).toHaveBeenCalledWith('earnings', { limit: 1 });
    expect(tray.menu!.slice(0, 2).map((item) => [item.label, item.enabled])).toEqual([
      ['Training', false],
      ['AIRT earned today: 2.5', false],
    ]);
    tray.clickItem('Pause for 1 hour');
    await flush();
    expect(call).toHaveBeenLastCalledWith('pauseFor', { minutes: 60 });
    expect(tray.menu![0]!.label).toBe('Paused by you until 15:00');
    expect(tray.item('Resume').enabled).toBe(true);
  });

  it('Finish the round, then pause is offered while training, and asks the node for just that', async () => {
    const finishing: StateInfo = { state: 'training', reason: 'running', cause: { kind: 'finishing-round', round: 7 }, reasonText: 'Finishing round 7, then pausing' };
    const { handle, tray, call } = setup({ status: { ...TRAINING, samplesPerSecond: 1 }, pauseAfterRound: finishing });
    await handle.refresh();
    expect(tray.item('Finish the round, then pause').enabled).toBe(true);
    tray.clickItem('Finish the round, then pause');
    await flush();
    expect(call).toHaveBeenLastCalledWith('pauseAfterRound');
    expect(tray.menu![0]!.label).toBe('Finishing round 7, then pausing');
    const paused = setup({ status: { ...PAUSED } });
    await paused.handle.refresh();
    expect(paused.tray.item('Finish the round, then pause').enabled).toBe(false);
  });

  it('logs a failed command and keeps its state', async () => {
    const { handle, tray, logs } = setup({ status: { ...TRAINING, samplesPerSecond: 1 } });
    await handle.refresh();
    tray.clickItem('Pause');
    await flush();
    expect(logs.join('\n')).toContain('pause failed: pause unavailable');
    expect(tray.item('Pause').enabled).toBe(true);
  });

  it('shows the state in its icon: training, waiting for the schedule, paused, failed', async () => {
    const { handle, tray, emit } = setup({ status: { ...TRAINING } });
    await handle.refresh();
    expect(tray.image).toEqual({ path: '/app/build/tray-training.png' });
    emit('state', { state: 'paused', reason: 'schedule', cause: { kind: 'schedule', reason: 'in-use', until: null, temperatureC: null }, reasonText: 'Paused: you are using the computer' });
    expect(tray.image).toEqual({ path: '/app/build/tray-waiting.png' });
    emit('state', PAUSED);
    expect(tray.image).toEqual({ path: '/app/build/tray-paused.png' });
    emit('state', { state: 'error', reason: 'failure', cause: { kind: 'failure' }, reasonText: 'the trainer crashed' });
    expect(tray.image).toEqual({ path: '/app/build/tray-error.png' });
    handle.disconnected();
    expect(tray.image).toEqual({ path: '/app/build/tray.png' });
  });

  it('Export diagnostics asks for the zip once a worker answers', async () => {
    const { handle, tray, exportDiagnostics } = setup({ status: { ...PAUSED } });
    await handle.refresh();
    expect(tray.item('Export diagnostics…').enabled).toBe(true);
    tray.clickItem('Export diagnostics…');
    expect(exportDiagnostics).toHaveBeenCalledTimes(1);
  });

  it('Open and a click on the icon show the window; Quit quits', () => {
    const { tray, openWindow, quit } = setup();
    tray.clickItem('Open AIRTIST Miner');
    tray.emit('click');
    expect(openWindow).toHaveBeenCalledTimes(2);
    tray.clickItem('Quit');
    expect(quit).toHaveBeenCalledTimes(1);
  });

  it('offers an update the updater found, below Open, and takes it away again', () => {
    const { handle, tray } = setup();
    const click = vi.fn();
    handle.setUpdate({ label: 'Download update 0.2.0', enabled: true, click });
    const labels = tray.menu!.map((item) => item.label ?? item.type);
    expect(labels.indexOf('Download update 0.2.0')).toBe(labels.indexOf('Open AIRTIST Miner') + 1);
    tray.clickItem('Download update 0.2.0');
    expect(click).toHaveBeenCalledTimes(1);
    handle.setUpdate({ label: 'Downloading update 0.2.0…', enabled: false, click });
    expect(tray.item('Downloading update 0.2.0…').enabled).toBe(false);
    handle.setUpdate(null);
    expect(tray.menu!.some((item) => item.label?.includes('update'))).toBe(false);
  });

  it('shows a worker restart and disables the commands until it is back', async () => {
    const { handle, tray } = setup({ status: { ...PAUSED } });
    await handle.refresh();
    handle.disconnected();
    expect(tray.tooltip).toContain('restarting');
    expect(tray.item('Resume').enabled).toBe(false);
    await handle.refresh();
    expect(tray.item('Resume').enabled).toBe(true);
  });
});
