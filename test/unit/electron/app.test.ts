import { existsSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PORT_CHANNEL, RESTART_CHANNEL, type StateInfo } from '../../../worker/api/contract.js';
import { APP_PAGE_URL } from '../../../electron/app-protocol.js';
import { appPaths, createApp, type AppLike } from '../../../electron/app.js';
import {
  FakeBrowserWindow,
  FakeChannel,
  FakeChild,
  FakeMenu,
  FakeTray,
  fakeNativeImage,
  flush,
  serve,
  type FakePort,
} from './fakes.js';

const TRAINING: StateInfo & { samplesPerSecond: number } = {
  state: 'training',
  reason: 'running',
  cause: { kind: 'running' },
  reasonText: 'Training',
  samplesPerSecond: 12,
};

class FakeApp extends EventEmitter implements AppLike {
  hasLock = true;
  quits = 0;
  ready!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.ready = resolve));

  requestSingleInstanceLock(): boolean {
    return this.hasLock;
  }
  /** Like Electron: quitting emits before-quit, which may cancel it. */
  quit(): void {
    this.quits++;
    let prevented = false;
    this.emit('before-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.emit('quitted');
  }
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  getPath(): string {
    return '/home/ada/.config/AIRTIST Miner';
  }
  getAppPath(): string {
    return '/app';
  }
  readonly isPackaged = false;
  loginItems: Array<{ openAtLogin: boolean; args?: string[] }> = [];
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void {
    this.loginItems.push(settings);
  }
}

function setup(hasLock = true) {
  FakeBrowserWindow.instances = [];
  FakeTray.instances = [];
  const app = new FakeApp();
  app.hasLock = hasLock;
  const children: FakeChild[] = [];
  const fork = vi.fn(() => {
    children.push(new FakeChild());
    return children.at(-1)!;
  });
  const trainerChildren: FakeChild[] = [];
  const forkTrainer = vi.fn(() => {
    trainerChildren.push(new FakeChild());
    return trainerChildren.at(-1)! as never;
  });
  const signals = new Map<string, () => void>();
  const handlers = new Map<string, (event: { senderFrame: { url: string } | null }) => Promise<void>>();
  const served: unknown[] = [];
  const shown: string[] = [];
  createApp<FakePort, unknown, unknown>({
    app,
    fork,
    forkTrainer,
    MessageChannelMain: FakeChannel,
    BrowserWindow: FakeBrowserWindow,
    openExternal: () => Promise.resolve(),
    Tray: FakeTray,
    Menu: FakeMenu,
    nativeImage: fakeNativeImage,
    platform: 'linux',
    powerMonitor: { getSystemIdleTime: () => 0, isOnBatteryPower: () => false, on: () => undefined },
    Notification: Object.assign(class { show() {} on() {} }, { isSupported: () => false }),
    argv: ['electron', '/app'],
    execPath: '/usr/bin/electron',
    autostartDir: '/home/ada/.config/autostart',
    files: { write: () => {}, remove: () => {} },
    showItemInFolder: (path) => void shown.push(path),
    safeStorage: { isEncryptionAvailable: () => true, getSelectedStorageBackend: () => 'gnome_libsecret', encryptString: (text) => Buffer.from(`sealed:${text}`), decryptString: (sealed) => sealed.toString().replace(/^sealed:/, '') },
    autoUpdater: { autoDownload: true, autoInstallOnAppQuit: false, checkForUpdates: () => Promise.resolve(null), downloadUpdate: () => Promise.resolve(null), quitAndInstall: () => {}, on: () => undefined },
    serveAppFiles: (handler) => void served.push(handler),
    readFile: () => Promise.resolve(new Uint8Array()),
    onSignal: (signal, listener) => void signals.set(signal, listener),
    ipcMain: { handle: (channel, listener) => void handlers.set(channel, listener) },
    log: () => {},
  });
  const window = () => FakeBrowserWindow.instances[0]!;
  const tray = () => FakeTray.instances[0]!;
  const child = () => children.at(-1)!;
  /** Spawns the current worker process, answering `status` on main's port. */
  const spawnWorker = async () => {
    child().spawn();
    const [mainPort] = child().portsFor('main').slice(-1);
    serve(mainPort!, (method) => (method === 'status' ? TRAINING : null));
    await flush(10);
  };
  return { app, served, shown, fork, forkTrainer, trainerChildren, children, signals, handlers, window, tray, child, spawnWorker };
}

describe('createApp', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('a second instance quits at once and starts nothing', async () => {
    const { app, fork } = setup(false);
    app.ready();
    await flush();
    expect(app.quits).toBe(1);
    expect(fork).not.toHaveBeenCalled();
    expect(FakeBrowserWindow.instances).toHaveLength(0);
    expect(app.listenerCount('second-instance')).toBe(0);
  });

  it('on ready: worker, window and tray, with the built files', async () => {
    const { app, fork, window, tray, served } = setup();
    expect(fork).not.toHaveBeenCalled(); // utilityProcess.fork only works after ready
    app.ready();
    await flush();
    const paths = appPaths('/app', 'linux');
    expect(fork).toHaveBeenCalledWith(paths.workerPath, ['--data-dir', '/home/ada/.config/AIRTIST Miner'], {
      serviceName: 'AIRTIST Miner worker',
      stdio: 'pipe',
    });
    expect(window().loadedUrl).toBe('app://airtist/index.html');
    expect(served).toHaveLength(1); // app:// is served before the window loads from it
    expect(window().options).toMatchObject({ icon: paths.iconPath, webPreferences: { preload: paths.preloadPath } });
    expect(tray().image).toEqual({ path: '/app/build/tray.png' });
    expect(appPaths('/app', 'darwin').trayIconPath('plain')).toBe('/app/build/trayTemplate.png');
    expect(appPaths('/app', 'darwin').trayIconPath('waiting')).toBe('/app/build/trayTemplate-waiting.png');
    // Every state's icon exists, in both sizes, for every platform.
    for (const platform of ['linux', 'darwin'] as const) {
      for (const state of ['plain', 'training', 'waiting', 'paused', 'error'] as const) {
        const file = appPaths(process.cwd(), platform).trayIconPath(state);
        expect(existsSync(file), file).toBe(true);
        expect(existsSync(file.replace(/\.png$/, '@2x.png')), file).toBe(true);
      }
    }
  });

  it('connects main and the page to the worker; the tray shows its state', async () => {
    const { app, window, tray, child, spawnWorker } = setup();
    app.ready();
    await flush();
    await spawnWorker();
    expect(tray().tooltip).toBe('AIRTIST Miner — Training, 12 samples/s');

    window().finishLoading();
    const [rendererEnd] = child().portsFor('renderer');
    expect(rendererEnd).toBeDefined();
    const posted = window().webContents.posted;
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ channel: PORT_CHANNEL, message: null });
    expect((posted[0]!.ports[0] as FakePort).peer).toBe(rendererEnd);
  });

  it("starts the worker's trainer processes on its request, and kills them when the worker dies", async () => {
    const { app, forkTrainer, trainerChildren, child, spawnWorker } = setup();
    app.ready();
    await flush();
    await spawnWorker();
    child().emit('message', { type: 'spawn-trainer', id: 1 });
    expect(forkTrainer).toHaveBeenCalledWith(appPaths('/app', 'linux').trainerPath, [], expect.objectContaining({ stdio: 'pipe' }));
    trainerChildren[0]!.spawn();
    const notice = child().messages.at(-1)!;
    expect(notice.message).toEqual({ type: 'trainer-port', id: 1 });
    expect((trainerChildren[0]!.messages[0]!.ports[0] as FakePort).peer).toBe(notice.ports[0]);
    trainerChildren[0]!.exit(0);
    expect(child().messages.at(-1)!.message).toEqual({ type: 'trainer-exit', id: 1, code: 0 });
    child().emit('message', { type: 'spawn-trainer', id: 2 });
    child().exit(1);
    expect(trainerChildren[1]!.kills).toBe(1);
  });

  it('exports diagnostics through the worker from the tray, and shows the zip', async () => {
    const { app, tray, child, spawnWorker, shown } = setup();
    app.ready();
    await flush();
    child().spawn();
    const [mainPort] = child().portsFor('main').slice(-1);
    serve(mainPort!, (method) => (method === 'status' ? TRAINING : method === 'exportDiagnostics' ? { path: '/d/diagnostics/x.zip', bytes: 9, files: [] } : null));
    await flush(10);
    tray().clickItem('Export diagnostics…');
    await flush(10);
    expect(shown).toEqual(['/d/diagnostics/x.zip']);
    expect(spawnWorker).toBeDefined();
  });

  it('after a worker crash: restarts it and reconnects main and the page', async () => {
    const { app, fork, window, tray, child, spawnWorker } = setup();
    app.ready();
    await flush();
    await spawnWorker();
    window().finishLoading();
    child().exit(1);
    expect(tray().tooltip).toContain('restarting');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fork).toHaveBeenCalledTimes(2);
    await spawnWorker();
    expect(child().portsFor('main')).toHaveLength(1);
    expect(child().portsFor('renderer')).toHaveLength(1);
    expect(window().webContents.posted).toHaveLength(2);
    expect(tray().tooltip).toBe('AIRTIST Miner — Training, 12 samples/s');
  });

  it('restarts the worker when the app page asks, and refuses anyone else', async () => {
    const { app, fork, window, child, handlers, spawnWorker } = setup();
    app.ready();
    await flush();
    await spawnWorker();
    window().finishLoading();
    const restart = handlers.get(RESTART_CHANNEL)!;
    await expect(restart({ senderFrame: { url: 'https://evil.example/' } })).rejects.toThrow(/only the app page/);
    await expect(restart({ senderFrame: null })).rejects.toThrow(/only the app page/);
    expect(child().messages.map((m) => m.message)).not.toContainEqual({ type: 'shutdown' });

    const restarted = restart({ senderFrame: { url: APP_PAGE_URL } });
    expect(child().messages.map((m) => m.message)).toContainEqual({ type: 'shutdown' });
    child().exit(0);
    await restarted;
    expect(fork).toHaveBeenCalledTimes(2);
    await spawnWorker();
    // Main and the page are connected to the new worker.
    expect(child().portsFor('main')).toHaveLength(1);
    expect(child().portsFor('renderer')).toHaveLength(1);
  });

  it('a second launch brings the window back; closing only hides it', async () => {
    const { app, window } = setup();
    app.ready();
    await flush();
    expect(window().close()).toBe(false);
    expect(window().visible).toBe(false);
    app.emit('second-instance');
    expect(window().visible).toBe(true);
    app.emit('window-all-closed'); // must not quit: there is a listener and it does nothing
    expect(app.quits).toBe(0);
  });

  it('quitting stops the worker gracefully first, then quits for real', async () => {
    const { app, window, child, spawnWorker, tray } = setup();
    const quitted = vi.fn();
    app.on('quitted', quitted);
    app.ready();
    await flush();
    await spawnWorker();

    tray().clickItem('Quit');
    expect(quitted).not.toHaveBeenCalled();
    expect(child().messages.at(-1)?.message).toEqual({ type: 'shutdown' });
    expect(window().close()).toBe(true); // windows may close now

    child().exit(0);
    await flush(10);
    expect(quitted).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(child().kills).toBe(0);
  });

  it('SIGINT and SIGTERM quit the same graceful way', async () => {
    const { app, signals, child, spawnWorker } = setup();
    app.ready();
    await flush();
    await spawnWorker();
    signals.get('SIGTERM')!();
    expect(child().messages.at(-1)?.message).toEqual({ type: 'shutdown' });
    expect([...signals.keys()].sort()).toEqual(['SIGINT', 'SIGTERM']);
  });
});
