/**
 * The settings that belong to the desktop app, kept in the node's ledger like every other setting and
 * applied here: start at login (and then minimized, in the tray) and whether closing the window keeps
 * mining in the tray. macOS and Windows register a login item through Electron; Linux gets an XDG autostart
 * entry (`~/.config/autostart/<name>.desktop`), which is what Electron's login items lack there.
 */
import type { ApiClient, Settings } from '../worker/api/contract.js';

/** The argument a login start passes: the app starts in the tray, without its window. */
export const MINIMIZED_ARG = '--minimized';

export type DesktopSettings = Pick<Settings, 'closeToTray' | 'startAtLogin' | 'startMinimized'>;

export interface LoginItems {
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
}

export interface AutostartFiles {
  write(path: string, text: string): void;
  remove(path: string): void;
}

export interface DesktopSettingsOptions {
  api: Pick<ApiClient, 'call' | 'on'>;
  platform: NodeJS.Platform;
  app: LoginItems;
  /** Linux: where autostart entries live (`$XDG_CONFIG_HOME/autostart`), and how to write them. */
  autostartDir: string;
  files: AutostartFiles;
  /** The command that starts this app (the executable, with its arguments before ours). */
  command: string[];
  log?: (line: string) => void;
}

export interface DesktopSettingsHandle {
  current(): DesktopSettings;
  /** Asks the node for the settings (after each worker start). */
  refresh(): Promise<void>;
}

/** A Linux autostart entry starting `command` minimized. */
export function autostartEntry(command: string[], minimized: boolean): string {
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\`$])/g, '\\$1')}"`);
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=AIRTIST Miner',
    'Comment=Train a shared AI artist in idle time and earn AIRT',
    `Exec=${[...command, ...(minimized ? [MINIMIZED_ARG] : [])].map(quote).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function createDesktopSettings(options: DesktopSettingsOptions): DesktopSettingsHandle {
  const log = options.log ?? (() => {});
  let current: DesktopSettings = { closeToTray: true, startAtLogin: false, startMinimized: false };
  let applied: string | null = null;
  const autostartPath = `${options.autostartDir}/airtist-miner.desktop`;

  const apply = (settings: DesktopSettings) => {
    current = { closeToTray: settings.closeToTray, startAtLogin: settings.startAtLogin, startMinimized: settings.startMinimized };
    const login = JSON.stringify([current.startAtLogin, current.startMinimized]);
    if (login === applied) return;
    applied = login;
    try {
      if (options.platform === 'linux') {
        if (current.startAtLogin) options.files.write(autostartPath, autostartEntry(options.command, current.startMinimized));
        else options.files.remove(autostartPath);
      } else {
        options.app.setLoginItemSettings({ openAtLogin: current.startAtLogin, args: current.startMinimized ? [MINIMIZED_ARG] : [] });
      }
    } catch (error) {
      log(`start at login: ${(error as Error).message}`);
    }
  };

  options.api.on('settings', apply);
  return {
    current: () => current,
    async refresh() {
      try {
        apply(await options.api.call('getSettings'));
      } catch (error) {
        log(`desktop settings: ${(error as Error).message}`);
      }
    },
  };
}
