/**
 * The main process, composed: single instance, worker supervisor, window, tray, quit sequence.
 * No business logic; every Electron object comes in through `deps` so tests run it with fakes.
 */
import path from 'node:path';
import { createSupervisor, type SupervisorOptions } from './supervisor.js';
import { createTray, type MinerTray, type TrayIconState, type TrayOptions } from './tray.js';
import { createMainWindow, type MainWindow, type WindowOptions } from './window.js';
import { startPowerSignals, type PowerMonitorLike, type PowerSignals } from './power-signals.js';
import { createNotifier, type Notifier, type NotifierOptions } from './notifications.js';
import { MINIMIZED_ARG, createDesktopSettings, type AutostartFiles } from './desktop-settings.js';
import { createWorkerClient, type MainPort } from './worker-client.js';
import { createTrainerProcesses, type TrainerProcessesOptions } from './trainer-processes.js';
import { appFileHandler, isAppPageUrl } from './app-protocol.js';
import { RESTART_CHANNEL } from '../worker/api/wire.js';
import { createUpdater, type AutoUpdaterLike, type Updater } from './updater.js';
import { createMainLog, type ElectronLogLike } from './logging.js';
import { createSecretSealer, type SafeStorageLike } from './secret-sealer.js';
import { strings } from './strings.js';

/** The parts of Electron's `app` used here. */
export interface AppLike {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  whenReady(): Promise<void>;
  getPath(name: 'userData'): string;
  getAppPath(): string;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
  readonly isPackaged: boolean;
}

export interface AppDeps<Port extends MainPort, Image, Menu> {
  app: AppLike;
  fork: SupervisorOptions<Port>['fork'];
  /** Starts a trainer utilityProcess (the same `utilityProcess.fork`, typed for what the trainer needs). */
  forkTrainer: TrainerProcessesOptions<Port>['fork'];
  MessageChannelMain: SupervisorOptions<Port>['MessageChannelMain'];
  BrowserWindow: WindowOptions<Port>['BrowserWindow'];
  openExternal(url: string): Promise<void>;
  Tray: TrayOptions<Image, Menu>['Tray'];
  Menu: TrayOptions<Image, Menu>['Menu'];
  nativeImage: TrayOptions<Image, Menu>['nativeImage'];
  platform: NodeJS.Platform;
  /** Electron's powerMonitor (usable once the app is ready): the user's idle time, lock, battery, sleep. */
  powerMonitor: PowerMonitorLike;
  Notification: NotifierOptions['Notification'];
  /** This process's arguments (a login start passes --minimized) and the executable that starts the app. */
  argv: string[];
  execPath: string;
  /** Linux autostart entries: their folder and how to write them. */
  autostartDir: string;
  files: AutostartFiles;
  /** electron-log's main logger: main's lines and the worker's output go to its rotated file. */
  electronLog?: ElectronLogLike;
  /** Shows a file in the system's file manager (a diagnostics zip). */
  showItemInFolder(path: string): void;
  /** Electron's safeStorage: the keychain that keeps a remembered wallet unlock. */
  safeStorage: SafeStorageLike;
  /** electron-updater's autoUpdater. */
  autoUpdater: AutoUpdaterLike;
  /** Serves the app:// scheme with `handler` (`protocol.handle`), once the app is ready. */
  serveAppFiles(handler: (request: Request) => Promise<Response>): void;
  readFile(file: string): Promise<Uint8Array>;
  /** Electron's ipcMain: the app page's one request to main, "restart the miner" (RESTART_CHANNEL). */
  ipcMain: { handle(channel: string, listener: (event: { senderFrame: { url: string } | null }) => Promise<void>): void };
  /** `process.on`, for the stop signals a terminal or the launcher sends. */
  onSignal(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  log?: (line: string) => void;
}

/** Where the built app's files are, relative to the app root (the repo, or app.asar when packaged). */
export function appPaths(appRoot: string, platform: NodeJS.Platform) {
  return {
    workerPath: path.join(appRoot, 'dist', 'worker', 'electron-entry.js'),
    trainerPath: path.join(appRoot, 'dist', 'worker', 'training', 'trainer-process.js'),
    preloadPath: path.join(appRoot, 'dist', 'electron', 'preload.cjs'),
    /** The dashboard's build, served as app://airtist/ (app-protocol.ts). */
    rendererDir: path.join(appRoot, 'dist', 'renderer'),
    iconPath: path.join(appRoot, 'build', 'icon.png'),
    // macOS menu bar icons are template images (black + alpha, tinted by the system); one per state, badged.
    trayIconPath: (state: TrayIconState) =>
      path.join(appRoot, 'build', `${platform === 'darwin' ? 'trayTemplate' : 'tray'}${state === 'plain' ? '' : `-${state}`}.png`),
  };
}

export function createApp<Port extends MainPort, Image, Menu>(deps: AppDeps<Port, Image, Menu>): void {
  const { app } = deps;
  const mainLog = deps.electronLog ? createMainLog(deps.electronLog) : null;
  const log = deps.log ?? ((line: string) => (mainLog ? mainLog.line(`[main] ${line}`) : console.log(`[main] ${line}`)));
  // The worker's output goes into the same file as main's lines; a diagnostics export includes that file.
  const output = mainLog ? { stdout: mainLog.stream(), stderr: mainLog.stream() } : undefined;
  // One miner per user: a second launch only brings the first one's window up.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const paths = appPaths(app.getAppPath(), deps.platform);
  const supervisor = createSupervisor<Port>({
    fork: deps.fork,
    MessageChannelMain: deps.MessageChannelMain,
    workerPath: paths.workerPath,
    dataDir: app.getPath('userData'),
    ...(mainLog ? { workerArgs: mainLog.files().flatMap((file) => ['--log-file', file]) } : {}),
    ...(output ? { output } : {}),
    log: (line) => log(`supervisor: ${line}`),
  });
  // The worker's trainer processes (Windows, macOS): main starts them, since only main may start processes.
  const trainers = createTrainerProcesses<Port>({
    fork: deps.forkTrainer,
    MessageChannelMain: deps.MessageChannelMain,
    trainerPath: paths.trainerPath,
    reply: (notice, transfer) => void supervisor.post(notice, transfer),
    ...(output ? { output } : {}),
    log: (line) => log(`trainers: ${line}`),
  });
  // The keychain for "unlock the wallet when the app starts": only main holds safeStorage.
  const sealer = createSecretSealer({ safeStorage: deps.safeStorage, platform: deps.platform, reply: (result) => void supervisor.post(result) });
  supervisor.onMessage((message) => {
    if (!trainers.handle(message) && !sealer.handle(message)) log('ignored an unknown message from the worker');
  });
  // "Restart now" after a change to settings that take effect at start (the network's): only the app page may ask.
  deps.ipcMain.handle(RESTART_CHANNEL, async (event) => {
    if (!event.senderFrame || !isAppPageUrl(event.senderFrame.url)) throw new Error('only the app page may restart the miner');
    if (!(await supervisor.restart())) throw new Error('the miner is quitting or already restarting');
  });
  const worker = createWorkerClient();
  const desktop = createDesktopSettings({
    api: worker.api,
    platform: deps.platform,
    app,
    autostartDir: deps.autostartDir,
    files: deps.files,
    // A packaged app is its executable; in development Electron runs the app folder.
    command: app.isPackaged ? [deps.execPath] : [deps.execPath, app.getAppPath()],
    log,
  });
  let window: MainWindow<Port> | null = null;
  let tray: MinerTray | null = null;
  let power: PowerSignals | null = null;
  let notifier: Notifier | null = null;
  let updater: Updater | null = null;
  let quitting = false;
  let workerStopped = false;

  const sendRendererPort = () => void window?.sendPort(() => supervisor.connect('renderer'));

  supervisor.onStart(() => {
    const port = supervisor.connect('main');
    if (port) worker.attach(port);
    void tray?.refresh();
    void desktop.refresh();
    sendRendererPort();
  });
  supervisor.onExit((code, restartInMs) => {
    trainers.killAll();
    worker.detach('the worker exited');
    if (restartInMs !== null) {
      // On quit there is nothing to announce.
      tray?.disconnected();
      notifier?.workerCrashed(code, restartInMs);
    }
  });

  app.on('second-instance', () => window?.show());
  app.on('activate', () => window?.show());
  app.on('window-all-closed', () => {
    // A tray app: mining goes on with no window open, unless the user chose that closing it quits.
    if (!desktop.current().closeToTray) app.quit();
  });
  app.on('before-quit', (event) => {
    quitting = true;
    power?.stop();
    updater?.stop();
    if (workerStopped) return;
    // Hold the quit until the worker has closed its ledger and checkpoint, then quit for real.
    event.preventDefault();
    supervisor.stop().then(() => {
      workerStopped = true;
      app.quit();
    });
  });
  deps.onSignal('SIGINT', () => app.quit());
  deps.onSignal('SIGTERM', () => app.quit());

  app.whenReady().then(() => {
    deps.serveAppFiles(appFileHandler(paths.rendererDir, deps.readFile));
    window = createMainWindow<Port>({
      BrowserWindow: deps.BrowserWindow,
      openExternal: deps.openExternal,
      preloadPath: paths.preloadPath,
      ...(deps.platform === 'linux' ? { iconPath: paths.iconPath } : {}),
      isQuitting: () => quitting,
      closeToTray: () => desktop.current().closeToTray,
      startHidden: deps.argv.includes(MINIMIZED_ARG),
      onAppPageLoaded: sendRendererPort,
      log,
    });
    tray = createTray<Image, Menu>({
      Tray: deps.Tray,
      Menu: deps.Menu,
      nativeImage: deps.nativeImage,
      iconPath: paths.trayIconPath,
      api: worker.api,
      openWindow: () => window?.show(),
      exportDiagnostics: () => {
        worker.api.call('exportDiagnostics').then(
          ({ path: zip }) => deps.showItemInFolder(zip),
          (error: Error) => notifier?.notify(...strings.notifications.diagnosticsFailed(error.message), () => window?.show()),
        );
      },
      quit: () => app.quit(),
      log,
    });
    // The scheduler hears the OS through these: the user's return stops training within half a second.
    power = startPowerSignals({ powerMonitor: deps.powerMonitor, api: worker.api, log });
    notifier = createNotifier({ Notification: deps.Notification, api: worker.api, openWindow: (page) => window?.show(page), log });
    updater = createUpdater({
      autoUpdater: deps.autoUpdater,
      enabled: app.isPackaged,
      notify: (title, body, click) => notifier?.notify(title, body, click),
      onChange: (_state, offer) => tray?.setUpdate(offer),
      log: (line) => log(line),
    });
    supervisor.start();
    updater.start();
  });
}
