/**
 * What `npm start` should run: the desktop app, or the headless miner when the desktop app cannot start here.
 * Pure, so every platform's answer is tested on any platform.
 */
export interface LaunchInputs {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  /** The Electron executable, or null when it was never downloaded. */
  electronBinary: string | null;
}

export type LaunchPlan = { mode: 'electron'; binary: string } | { mode: 'headless'; reason: string };

export const DEFAULT_API_PORT = 7357;

export function planLaunch({ platform, env, electronBinary }: LaunchInputs): LaunchPlan {
  if (env.AIRTIST_HEADLESS === '1') return { mode: 'headless', reason: 'AIRTIST_HEADLESS=1 is set' };
  if (electronBinary === null) {
    return { mode: 'headless', reason: 'the Electron binary is not installed (node_modules/electron has no dist/)' };
  }
  // macOS and Windows always have a window server; the other Unixes need X11 or Wayland.
  const hasDisplay = platform === 'darwin' || platform === 'win32' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
  if (!hasDisplay) return { mode: 'headless', reason: 'there is no display (DISPLAY and WAYLAND_DISPLAY are unset)' };
  return { mode: 'electron', binary: electronBinary };
}

/** The one line printed when falling back to the headless miner. */
export function headlessNotice(reason: string): string {
  return `AIRTIST Miner: the desktop app cannot start here because ${reason}; starting the headless miner instead.`;
}

export function headlessArgs(cliPath: string, dataDir: string, port: number): string[] {
  return [cliPath, 'node', '--data-dir', dataDir, '--port', String(port)];
}
