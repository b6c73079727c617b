import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir, readOrCreateSecret, writeFileAtomic } from '../../../worker/data-dir.js';

describe('data dir', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'airtist-datadir-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('writes files atomically with owner-only permissions and leaves no temp files', () => {
    const dir = tempDir();
    writeFileAtomic(join(dir, 'a'), 'one');
    writeFileAtomic(join(dir, 'a'), 'two');
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('two');
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o600);
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout.trim()).toBe('a');
  });

  it('keeps a secret across calls', () => {
    const dir = tempDir();
    const id = readOrCreateSecret(dir, 'node-id', 16);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(readOrCreateSecret(dir, 'node-id', 16)).toBe(id);
  });

  it('refuses a data dir that a live process holds', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'node.lock'), `${process.ppid}\n`); // our parent: certainly alive
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    expect(() => lockDataDir(dir)).toThrow(`another AIRTIST node (pid ${process.ppid}) is using ${dir}`);
  });

  it('takes over the lock of a process that is gone, and releases only its own', () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'node.lock'), `${dead.stdout}\n`);
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'node.lock'), 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(existsSync(join(dir, 'node.lock'))).toBe(false);

    const releaseAgain = lockDataDir(dir);
    writeFileSync(join(dir, 'node.lock'), `${process.ppid}\n`); // someone else's now
    releaseAgain();
    expect(readFileSync(join(dir, 'node.lock'), 'utf8').trim()).toBe(String(process.ppid));
  });

  it('treats a garbled lock file as stale', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'node.lock'), 'not a pid');
    const release = lockDataDir(dir);
    expect(readFileSync(join(dir, 'node.lock'), 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
