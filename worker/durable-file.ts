/**
 * Files that survive a killed process and a power cut: a write goes to a temp file beside the target, is
 * fsynced, renamed over the target, and the folder is fsynced, so a reader sees the old file or the new one,
 * never a torn one. The checkpoint, the round state and the quality classifier's cache are written this way;
 * each checks its own contents when read (a checksum), since a disk can still lose or flip bytes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const tempPrefix = (path: string) => `.${basename(path)}.`;

/**
 * Writes `bytes` to `path` atomically and durably (see above). `mode`: the file's permissions from its first
 * byte (a keystore is 0600: the temp file is never readable by others either).
 */
export async function writeFileDurably(path: string, bytes: Uint8Array, { mode = 0o666 }: { mode?: number } = {}): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `${tempPrefix(path)}${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temp, 'wx', mode);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // Make the rename itself durable. Windows cannot open a folder for fsync; NTFS journals the rename.
  if (process.platform !== 'win32') {
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}

/** The file's bytes, or null when there is no file; past `maxBytes` an error, before anything is read. */
export async function readFileOrNull(path: string, maxBytes = Infinity): Promise<Buffer | null> {
  try {
    if (Number.isFinite(maxBytes)) {
      const { size } = await stat(path);
      if (size > maxBytes) throw new RangeError(`${path}: ${size} bytes is over the limit of ${maxBytes}`);
    }
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Deletes the temp files that writes to `path` left behind when their process was killed mid-write; returns
 * the bytes freed. Only for a caller that owns the folder (the node holds the data-dir lock) and has no write
 * to `path` in flight.
 */
export async function removeStaleTempFiles(path: string): Promise<number> {
  const dir = dirname(path);
  let freed = 0;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0; // no folder yet: nothing was ever written
  }
  for (const name of names) {
    if (!name.startsWith(tempPrefix(path)) || !name.endsWith('.tmp')) continue;
    const file = join(dir, name);
    const size = await stat(file).then((s) => s.size, () => 0);
    await unlink(file).then(() => (freed += size), () => undefined);
  }
  return freed;
}
