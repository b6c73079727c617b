/**
 * The app window: locked down (STYLE 6) and hidden to the tray on close, so mining goes on.
 * The BrowserWindow constructor and shell.openExternal are passed in; tests use fakes.
 */
import type { BrowserWindowConstructorOptions } from 'electron';
import { PORT_CHANNEL } from '../worker/api/contract.js';
import { APP_PAGE_URL, isAppPageUrl } from './app-protocol.js';
import { applySessionPolicy, type PolicySession } from './session-policy.js';

interface PreventableEvent {
  preventDefault(): void;
}

/** The parts of WebContents used here. */
export interface AppWebContents<Port> {
  on(event: 'will-navigate', listener: (event: PreventableEvent & { url: string }) => void): unknown;
  on(event: 'will-redirect', listener: (event: PreventableEvent & { url: string }) => void): unknown;
  on(event: 'did-finish-load', listener: () => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
  getURL(): string;
  postMessage(channel: string, message: unknown, transfer?: Port[]): void;
  readonly session: PolicySession;
}

/** The parts of BrowserWindow used here. */
export interface AppBrowserWindow<Port> {
  on(event: 'close', listener: (event: PreventableEvent) => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  loadURL(url: string): Promise<void>;
  readonly webContents: AppWebContents<Port>;
}

export interface WindowOptions<Port> {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => AppBrowserWindow<Port>;
  openExternal(url: string): Promise<void>;
  preloadPath: string;
  /** Window icon (Linux; macOS and Windows take it from the app bundle). */
  iconPath?: string;
  isQuitting(): boolean;
  /** Closing the window hides it to the tray (else it closes, and the app quits). */
  closeToTray?: () => boolean;
  /** Started at login, minimized: the window waits in the tray until asked for. */
  startHidden?: boolean;
  /** The app page has (re)loaded and needs a port to the worker. */
  onAppPageLoaded(): void;
  log?: (line: string) => void;
}

export interface MainWindow<Port> {
  /** Bring the window up (from the tray, a second launch, the dock), on one of the app's pages if given. */
  show(page?: string): void;
  /**
   * Hand the page a new worker port from `connect`, which is called only when the app page itself is loaded
   * (the port is the whole control API: it goes to our own page only). False when nothing was sent.
   */
  sendPort(connect: () => Port | null): boolean;
}

export function windowOptions(preloadPath: string, iconPath?: string): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'AIRTIST Miner',
    backgroundColor: '#14122b',
    autoHideMenuBar: true,
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

export function createMainWindow<Port>(options: WindowOptions<Port>): MainWindow<Port> {
  const log = options.log ?? ((line: string) => console.log(line));
  const isAppPage = isAppPageUrl;
  const win = new options.BrowserWindow(windowOptions(options.preloadPath, options.iconPath));
  const contents = win.webContents;
  applySessionPolicy(contents.session);

  const keepOnAppPage = (event: PreventableEvent & { url: string }) => {
    if (isAppPage(event.url)) return;
    event.preventDefault();
    log(`blocked navigation to ${event.url.slice(0, 200)}`);
  };
  contents.on('will-navigate', keepOnAppPage);
  contents.on('will-redirect', keepOnAppPage);
  contents.setWindowOpenHandler(({ url }) => {
    // No new windows ever; a plain https link opens in the user's browser instead.
    if (isHttps(url)) options.openExternal(url).catch((error: Error) => log(`could not open ${url}: ${error.message}`));
    return { action: 'deny' };
  });
  contents.on('did-finish-load', () => {
    if (isAppPage(contents.getURL())) options.onAppPageLoaded();
  });

  win.on('close', (event) => {
    if (options.isQuitting() || options.closeToTray?.() === false) return;
    event.preventDefault(); // a tray app: closing the window only hides it
    win.hide();
  });
  if (!options.startHidden) win.once('ready-to-show', () => win.show());
  // From the app's own scheme (app-protocol.ts), never file://.
  win.loadURL(APP_PAGE_URL).catch((error: Error) => log(`could not load the app page: ${error.message}`));

  return {
    show(page) {
      // A page of our own (its hash, #earnings): the app page loads again on it and gets a new port.
      if (page && /^[a-z]+$/.test(page)) win.loadURL(`${APP_PAGE_URL}#${page}`).catch((error: Error) => log(`could not open the ${page} page: ${error.message}`));
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    },
    sendPort(connect) {
      const port = isAppPage(contents.getURL()) ? connect() : null;
      if (port === null) return false;
      contents.postMessage(PORT_CHANNEL, null, [port]);
      return true;
    },
  };
}

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
