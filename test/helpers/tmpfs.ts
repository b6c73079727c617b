/**
 * A small real filesystem that can be filled up, for tests of what a full disk does: a tmpfs mounted on a
 * temp folder. Needs root (CI runs as root); elsewhere `mountTmpfs` returns null and such tests do not run.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  path: string;
  freeBytes(): number;
  /** Writes a filler file until at most `leaveBytes` remain free; returns its path. */
  fill(leaveBytes?: number): string;
  unmount(): void;
}

export function mountTmpfs(megabytes: number, at?: string): Tmpfs | null {
  const path = at ?? mkdtempSync(join(tmpdir(), 'airtist-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', path], { stdio: 'ignore' });
  } catch {
    if (!at) rmSync(path, { recursive: true, force: true });
    return null;
  }
  const freeBytes = () => {
    const fs = statfsSync(path);
    return fs.bavail * fs.bsize;
  };
  let fillers = 0;
  return {
    path,
    freeBytes,
    fill(leaveBytes = 0) {
      const file = join(path, `filler-${fillers++}`);
      const fd = openSync(file, 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        while (freeBytes() > leaveBytes) {
          const room = freeBytes() - leaveBytes;
          writeSync(fd, chunk, 0, Math.min(chunk.length, Math.max(room, 1)));
        }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      return file;
    },
    unmount() {
      execFileSync('umount', ['-l', path], { stdio: 'ignore' });
      if (!at) rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Whether this machine lets tests mount a tmpfs (root on Linux). */
export const canMountTmpfs: boolean = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mountTmpfs(1);
  probe?.unmount();
  return probe !== null;
})();
