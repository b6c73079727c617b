import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../../worker/api/contract.js';
import { MINIMIZED_ARG, autostartEntry, createDesktopSettings } from '../../../electron/desktop-settings.js';

function setup(platform: NodeJS.Platform, settings: Settings = DEFAULT_SETTINGS) {
  let listener: ((s: Settings) => void) | null = null;
  const api = { call: vi.fn(async () => settings), on: (_event: string, l: (s: Settings) => void) => void (listener = l) } as never;
  const app = { setLoginItemSettings: vi.fn() };
  const files = { write: vi.fn(), remove: vi.fn() };
  const handle = createDesktopSettings({ api, platform, app, autostartDir: '/home/u/.config/autostart', files, command: ['/opt/AIRTIST Miner/airtist-miner'] });
  return { handle, app, files, change: (patch: Partial<Settings>) => listener!({ ...settings, ...patch }) };
}

describe('desktop settings', () => {
  it('registers a login item on macOS and Windows, minimized when asked, and only on a change', async () => {
    const { handle, app, change } = setup('win32');
    await handle.refresh();
    expect(app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: false, args: [] });
    change({ startAtLogin: true, startMinimized: true });
    expect(app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: true, args: [MINIMIZED_ARG] });
    change({ startAtLogin: true, startMinimized: true, quietMode: true });
    expect(app.setLoginItemSettings).toHaveBeenCalledTimes(2);
    change({ closeToTray: false, startAtLogin: true, startMinimized: true });
    expect(handle.current()).toEqual({ closeToTray: false, startAtLogin: true, startMinimized: true });
  });

  it('writes and removes an XDG autostart entry on Linux', async () => {
    const { handle, files, change } = setup('linux');
    await handle.refresh();
    expect(files.remove).toHaveBeenCalledWith('/home/u/.config/autostart/airtist-miner.desktop');
    change({ startAtLogin: true, startMinimized: true });
    expect(files.write).toHaveBeenCalledWith('/home/u/.config/autostart/airtist-miner.desktop', autostartEntry(['/opt/AIRTIST Miner/airtist-miner'], true));
    expect(autostartEntry(['/opt/AIRTIST Miner/airtist-miner'], true)).toContain('Exec="/opt/AIRTIST Miner/airtist-miner" --minimized\n');
    expect(autostartEntry(['/usr/bin/airtist-miner'], false)).toContain('Exec=/usr/bin/airtist-miner\n');
  });
});
