/**
 * Where the miner keeps its data by default. Pure; shared by the headless CLI and the launcher of npm start.
 *
 * It must equal Electron's `app.getPath('userData')` for productName "AIRTIST Miner", so that the desktop
 * app and the headless miner started by `npm start` on a machine without a display are one and the same
 * miner (one ledger, one wallet).
 */
import { homedir } from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'AIRTIST Miner';

export interface DataDirInputs {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
}

export function defaultDataDir(
  { platform, env, home }: DataDirInputs = { platform: process.platform, env: process.env, home: homedir() },
): string {
  if (platform === 'win32') {
    // Chromium's DIR_APP_DATA: the roaming profile folder.
    return path.win32.join(env.APPDATA || path.win32.join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  }
  // Linux and the other Unixes: Chromium takes XDG_CONFIG_HOME whenever it is set and not empty.
  return path.posix.join(env.XDG_CONFIG_HOME || path.posix.join(home, '.config'), PRODUCT_NAME);
}
