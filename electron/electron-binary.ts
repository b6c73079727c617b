/**
 * Finds the Electron executable that the `electron` npm package installed, without running that package.
 *
 * Why not `require('electron')`: when the binary is missing, electron's index.js starts downloading it
 * (a synchronous child process) before it throws — on a machine without internet that stalls `npm start`.
 * This reads the same `path.txt` that index.js reads and checks that the file is really there.
 */
import path from 'node:path';

export interface BinaryLookup {
  /** Folder of the installed `electron` package, or null when it does not resolve. */
  packageDir: string | null;
  env: Readonly<Record<string, string | undefined>>;
  readText(file: string): string | null;
  exists(file: string): boolean;
}

export function findElectronBinary({ packageDir, env, readText, exists }: BinaryLookup): string | null {
  if (packageDir === null) return null;
  const relative = readText(path.join(packageDir, 'path.txt'))?.trim() || null;
  // electron's own override for a locally built or pre-downloaded Electron.
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  const binary = override
    ? path.join(override, relative ?? 'electron')
    : relative && path.join(packageDir, 'dist', relative);
  return binary && exists(binary) ? binary : null;
}
