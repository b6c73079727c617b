import { beforeEach, describe, expect, it, vi } from 'vitest';
import { PORT_CHANNEL } from '../../../worker/api/contract.js';
import { createMainWindow } from '../../../electron/window.js';
import { CONTENT_SECURITY_POLICY, withCsp } from '../../../electron/session-policy.js';
import { FakeBrowserWindow } from './fakes.js';

const APP_URL = 'app://airtist/index.html';

function open(overrides: { isQuitting?: () => boolean; closeToTray?: () => boolean; startHidden?: boolean } = {}) {
  FakeBrowserWindow.instances = [];
  const openExternal = vi.fn(() => Promise.resolve());
  const onAppPageLoaded = vi.fn();
  const logs: string[] = [];
  const handle = createMainWindow<string>({
    BrowserWindow: FakeBrowserWindow,
    openExternal,
    preloadPath: '/app/dist/electron/preload.cjs',
    isQuitting: overrides.isQuitting ?? (() => false),
    ...(overrides.closeToTray ? { closeToTray: overrides.closeToTray } : {}),
    ...(overrides.startHidden ? { startHidden: true } : {}),
    onAppPageLoaded,
    log: (line) => logs.push(line),
  });
  const win = FakeBrowserWindow.instances[0]!;
  return { handle, win, contents: win.webContents, openExternal, onAppPageLoaded, logs };
}

describe('window security', () => {
  it('creates a sandboxed, isolated window with our preload and loads the app page', () => {
    const { win } = open();
    const prefs = win.options.webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/dist/electron/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(win.loadedUrl).toBe(APP_URL); // the app's own scheme, never file://
  });

  it('allows navigation to the app page only', () => {
    const { contents, logs } = open();
    expect(contents.navigate('will-navigate', APP_URL)).toBe(true);
    expect(contents.navigate('will-navigate', `${APP_URL}#/wallet`)).toBe(true);
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:7357/',
      'file:///etc/passwd',
      'file:///app/dist/renderer/index.html',
      'app://airtist/other.html',
      'app://other/index.html',
      'app:///index.html',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(contents.navigate('will-navigate', url), url).toBe(false);
      expect(contents.navigate('will-redirect', url), url).toBe(false);
    }
    expect(logs[0]).toContain('blocked navigation');
  });

  it('denies every new window, opening only https links in the browser', () => {
    const { contents, openExternal } = open();
    expect(contents.openHandler!({ url: 'https://airtist.org/docs' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://airtist.org/docs');
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'smb://host/share', 'javascript:x']) {
      expect(contents.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(openExternal).toHaveBeenCalledTimes(1);
  });

  it('puts the CSP on every response and denies every permission', () => {
    const { contents } = open();
    const session = contents.session;
    const callback = vi.fn();
    session.headersListener!(
      { responseHeaders: { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] } },
      callback,
    );
    expect(callback).toHaveBeenCalledWith({
      responseHeaders: { 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
    const granted = vi.fn();
    session.requestHandler!(null, 'media', granted);
    session.requestHandler!(null, 'notifications', granted);
    expect(granted.mock.calls).toEqual([[false], [false]]);
    expect(session.checkHandler!(null, 'clipboard-read')).toBe(false);
  });

  it('uses the same CSP as the page: nothing but our own scripts, no frames, no plugins', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
        "connect-src 'self' ws://127.0.0.1:* ws://localhost:*; object-src 'none'; base-uri 'none'; " +
        "form-action 'none'; frame-ancestors 'none'",
    );
    expect(withCsp(undefined)).toEqual({ 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });
});

describe('window behaviour', () => {
  let ctx: ReturnType<typeof open>;
  beforeEach(() => {
    ctx = open();
  });

  it('shows when ready, hides instead of closing, and comes back on show()', () => {
    const { win, handle } = ctx;
    win.emit('ready-to-show');
    expect(win.visible).toBe(true);
    expect(win.close()).toBe(false);
    expect(win.visible).toBe(false);
    win.minimized = true;
    handle.show();
    expect(win).toMatchObject({ visible: true, minimized: false, focused: 1 });
  });

  it('opens on one of its own pages (a notification to the Earnings page), and on nothing else', () => {
    const { win, handle } = ctx;
    handle.show('earnings');
    expect([win.loadedUrl, win.visible]).toEqual([`${APP_URL}#earnings`, true]);
    handle.show('../../etc/passwd');
    expect(win.loadedUrl).toBe(`${APP_URL}#earnings`);
  });

  it('closes for real while quitting, or when the user chose that closing quits', () => {
    expect(open({ isQuitting: () => true }).win.close()).toBe(true);
    expect(open({ closeToTray: () => false }).win.close()).toBe(true);
    expect(open({ closeToTray: () => true }).win.close()).toBe(false);
  });

  it('started minimized at login, waits in the tray until asked for', () => {
    const { win, handle } = open({ startHidden: true });
    win.emit('ready-to-show');
    expect(win.visible).toBe(false);
    handle.show();
    expect(win.visible).toBe(true);
  });

  it('asks for a port each time the app page loads, and sends ports to the app page only', () => {
    const { win, contents, handle, onAppPageLoaded } = ctx;
    const connect = vi.fn(() => 'port');
    expect(handle.sendPort(connect)).toBe(false); // nothing loaded yet
    expect(connect).not.toHaveBeenCalled(); // so no port was even made
    win.finishLoading();
    win.finishLoading(); // a reload
    expect(onAppPageLoaded).toHaveBeenCalledTimes(2);
    expect(handle.sendPort(connect)).toBe(true);
    expect(contents.posted).toEqual([{ channel: PORT_CHANNEL, message: null, ports: ['port'] }]);
    expect(handle.sendPort(() => null)).toBe(false); // no worker running

    contents.finishLoad('https://example.com/'); // were a foreign page ever to load, it gets nothing
    expect(onAppPageLoaded).toHaveBeenCalledTimes(2);
    expect(handle.sendPort(connect)).toBe(false);
    expect(connect).toHaveBeenCalledTimes(1);
  });
});
