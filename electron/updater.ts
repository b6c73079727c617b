/**
 * Updates the way a miner's user wants them: the app looks for a new version (at start and every six hours),
 * says so in a notification and the tray, and downloads only when the user asks; once downloaded it installs
 * when the user restarts it from there (or at the next quit). electron-updater's autoUpdater is passed in, so
 * tests drive this with a fake; a development run (not packaged) has nothing to update and never looks.
 */

import { strings } from './strings.js';

const words = strings.updates;

/** The parts of electron-updater's AppUpdater used here. */
export interface AutoUpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  checkForUpdates(): Promise<unknown>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(): void;
  on(event: 'update-available' | 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export type UpdateState =
  | { kind: 'none' }
  | { kind: 'available'; version: string }
  | { kind: 'downloading'; version: string }
  | { kind: 'ready'; version: string };

/** What the tray offers for an update state: a label and what a click does, or nothing. */
export interface UpdateOffer {
  label: string;
  enabled: boolean;
  click(): void;
}

export interface UpdaterOptions {
  autoUpdater: AutoUpdaterLike;
  /** False in development: an unpackaged app has no release to compare with. */
  enabled: boolean;
  /** A desktop notification; `click` runs when the user clicks it. */
  notify(title: string, body: string, click: () => void): void;
  /** The state changed (the tray shows `offer`). */
  onChange(state: UpdateState, offer: UpdateOffer | null): void;
  everyMs?: number;
  log?: (line: string) => void;
}

export interface Updater {
  start(): void;
  stop(): void;
  state(): UpdateState;
}

const SIX_HOURS_MS = 6 * 3600_000;

export function createUpdater(options: UpdaterOptions): Updater {
  const { autoUpdater } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  let state: UpdateState = { kind: 'none' };
  let timer: ReturnType<typeof setInterval> | undefined;

  const set = (next: UpdateState) => {
    state = next;
    options.onChange(state, offerFor(state));
  };

  const download = () => {
    if (state.kind !== 'available') return;
    const { version } = state;
    set({ kind: 'downloading', version });
    autoUpdater.downloadUpdate().catch((error: Error) => {
      log(`update ${version}: download failed: ${error.message}`);
      set({ kind: 'available', version }); // offered again: the user may try once more
    });
  };
  const install = () => {
    if (state.kind === 'ready') autoUpdater.quitAndInstall();
  };

  function offerFor(current: UpdateState): UpdateOffer | null {
    switch (current.kind) {
      case 'available':
        return { label: words.download(current.version), enabled: true, click: download };
      case 'downloading':
        return { label: words.downloading(current.version), enabled: false, click: () => {} };
      case 'ready':
        return { label: words.restart(current.version), enabled: true, click: install };
      default:
        return null;
    }
  }

  const check = () => {
    // A check while one is being downloaded or waits to install would only repeat what the user knows.
    if (state.kind === 'downloading' || state.kind === 'ready') return;
    autoUpdater.checkForUpdates().catch((error: Error) => log(`update check failed: ${error.message}`));
  };

  return {
    start() {
      if (!options.enabled || timer) return;
      autoUpdater.autoDownload = false; // the user confirms every download
      autoUpdater.autoInstallOnAppQuit = true; // what the user chose to download installs at the next quit
      autoUpdater.on('update-available', ({ version }) => {
        if (state.kind !== 'none' && 'version' in state && state.version === version) return;
        set({ kind: 'available', version });
        options.notify(...words.available(version), download);
      });
      autoUpdater.on('update-downloaded', ({ version }) => {
        set({ kind: 'ready', version });
        options.notify(...words.ready(version), install);
      });
      // Offline, a missing release feed, a bad signature: said in the log, never a crash or a dialog.
      autoUpdater.on('error', (error) => log(`updater: ${error.message}`));
      check();
      timer = setInterval(check, options.everyMs ?? SIX_HOURS_MS);
      timer.unref?.();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    state: () => state,
  };
}
