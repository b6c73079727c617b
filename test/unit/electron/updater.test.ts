import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createUpdater, type UpdateOffer, type UpdateState } from '../../../electron/updater.js';

class FakeAutoUpdater extends EventEmitter {
  autoDownload = true;
  autoInstallOnAppQuit = false;
  checks = 0;
  downloads = 0;
  installs = 0;
  failDownload = false;
  checkForUpdates(): Promise<unknown> {
    this.checks++;
    return Promise.resolve(null);
  }
  downloadUpdate(): Promise<unknown> {
    this.downloads++;
    return this.failDownload ? Promise.reject(new Error('connection reset')) : Promise.resolve([]);
  }
  quitAndInstall(): void {
    this.installs++;
  }
}

function setup(enabled = true) {
  const autoUpdater = new FakeAutoUpdater();
  const notices: Array<{ title: string; click: () => void }> = [];
  const changes: Array<{ state: UpdateState; offer: UpdateOffer | null }> = [];
  const logs: string[] = [];
  const updater = createUpdater({
    autoUpdater,
    enabled,
    notify: (title, _body, click) => void notices.push({ title, click }),
    onChange: (state, offer) => void changes.push({ state, offer }),
    everyMs: 1000,
    log: (line) => logs.push(line),
  });
  return { autoUpdater, updater, notices, changes, logs };
}

describe('createUpdater', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('never downloads by itself: it looks at start and then on a timer, and offers what it finds', async () => {
    const { autoUpdater, updater, notices, changes } = setup();
    updater.start();
    expect([autoUpdater.autoDownload, autoUpdater.autoInstallOnAppQuit, autoUpdater.checks]).toEqual([false, true, 1]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(autoUpdater.checks).toBe(3);
    autoUpdater.emit('update-available', { version: '0.2.0' });
    autoUpdater.emit('update-available', { version: '0.2.0' }); // the next check finds the same one: said once
    expect(notices.map((n) => n.title)).toEqual(['AIRTIST Miner 0.2.0 is available']);
    expect(changes.at(-1)!.offer).toMatchObject({ label: 'Download update 0.2.0', enabled: true });
    expect(autoUpdater.downloads).toBe(0);
  });

  it('downloads when the user asks, then restarts into the update when the user asks again', async () => {
    const { autoUpdater, updater, notices, changes } = setup();
    updater.start();
    autoUpdater.emit('update-available', { version: '0.2.0' });
    notices[0]!.click();
    expect(autoUpdater.downloads).toBe(1);
    expect(changes.at(-1)!.offer).toMatchObject({ label: 'Downloading update 0.2.0…', enabled: false });
    await vi.advanceTimersByTimeAsync(5000);
    expect(autoUpdater.checks).toBe(1); // no checks while downloading
    autoUpdater.emit('update-downloaded', { version: '0.2.0' });
    expect(updater.state()).toEqual({ kind: 'ready', version: '0.2.0' });
    expect(autoUpdater.installs).toBe(0);
    changes.at(-1)!.offer!.click();
    expect(autoUpdater.installs).toBe(1);
  });

  it('offers the download again when it fails, and logs updater errors instead of crashing', async () => {
    const { autoUpdater, updater, changes, logs } = setup();
    updater.start();
    autoUpdater.failDownload = true;
    autoUpdater.emit('update-available', { version: '0.3.0' });
    changes.at(-1)!.offer!.click();
    await vi.advanceTimersByTimeAsync(0);
    expect(updater.state()).toEqual({ kind: 'available', version: '0.3.0' });
    expect(logs.at(-1)).toContain('connection reset');
    autoUpdater.emit('error', new Error('net::ERR_INTERNET_DISCONNECTED'));
    expect(logs.at(-1)).toContain('ERR_INTERNET_DISCONNECTED');
  });

  it('does nothing in development, where there is no release to compare with', async () => {
    const { autoUpdater, updater } = setup(false);
    updater.start();
    await vi.advanceTimersByTimeAsync(5000);
    expect([autoUpdater.checks, autoUpdater.listenerCount('update-available')]).toEqual([0, 0]);
  });
});
