/**
 * The node's data directory and the small secret files in it. Secrets are created with mode 0600 inside a
 * 0700 directory and written atomically, so a crash never leaves a half-written token or id behind.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, closeSync, constants, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A data dir that cannot be one (a file, a path through a file, no permission): said in words. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/** Makes `dir` (and its parents) if missing; a path that cannot hold the node's files is a DataDirError. */
export function ensureDataDir(dir: string): string {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || (code === 'ENOTDIR' && isFile(dir))) throw new DataDirError(`${dir} is a file, not a folder`);
    if (code === 'ENOTDIR') throw new DataDirError(`${dir} cannot be a folder: a part of its path is a file`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') throw new DataDirError(`cannot write to ${dir} (${code === 'EROFS' ? 'a read-only disk' : 'permission denied'})`);
    if (code === 'ENOSPC') throw new DataDirError(`cannot make ${dir}: the disk is full`);
    throw error;
  }
  return dir;
}

function isFile(path: string): boolean {
  try {
    return !statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Writes `data` to `path` so that readers see either the old or the new content, never a mix. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}

/**
 * Reads a hex secret (random `bytes` long) from `name` in `dir`, creating it on first use. A file that is
 * not a well-formed secret (empty, truncated by a crash, edited) is replaced by a fresh one.
 */
export function readOrCreateSecret(dir: string, name: string, bytes: number): string {
  const path = join(dir, name);
  const pattern = new RegExp(`^[0-9a-f]{${bytes * 2}}$`);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (pattern.test(existing)) {
      chmodSync(path, 0o600);
      return existing;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(bytes).toString('hex');
  writeFileAtomic(path, `${secret}\n`);
  return secret;
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

const LOCK_FILE = 'node.lock';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, but someone else's
  }
}

/** The pid of the live process that holds `dir`'s lock, or null when no node runs there. */
export function lockHolder(dir: string): number | null {
  let holder: number;
  try {
    holder = Number.parseInt(readFileSync(join(dir, LOCK_FILE), 'utf8'), 10);
  } catch {
    return null;
  }
  return Number.isInteger(holder) && holder > 0 && processAlive(holder) ? holder : null;
}

/**
 * Claims the data dir for this process, so that two miners (say the desktop app and a headless node) never
 * train into the same ledger and checkpoints. The lock file holds our pid; a lock whose process is gone
 * (killed with -9) is taken over. Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let holder = NaN;
    try {
      holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch {
      continue; // released between our attempt and this read: try again
    }
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
      throw new DataDirInUseError(`another AIRTIST node (pid ${holder}) is using ${dir}`);
    }
    try {
      unlinkSync(path); // stale: its process is gone
    } catch {
      // someone else cleared it first
    }
  }
  throw new DataDirInUseError(`could not lock ${dir}: another node keeps claiming it`);
}
