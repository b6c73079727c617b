/**
 * The worker as Electron runs it (a utilityProcess), without Electron: a preloaded stand-in for
 * `process.parentPort` hands it a MessagePort like main does, calls the API through it, then asks it to
 * shut down.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ENTRY = fileURLToPath(new URL('../../../dist/worker/electron-entry.js', import.meta.url));
const FAKE_PARENT = fileURLToPath(new URL('./fixtures/fake-parent-port.mjs', import.meta.url));

describe('worker electron entry', { timeout: 90_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'airtist-entry-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves the control API on ports from main and shuts down cleanly when asked', async () => {
    // A trainer process is main's to start, and this stand-in for main cannot hand ports across processes.
    const child = spawn(process.execPath, ['--import', FAKE_PARENT, ENTRY, '--data-dir', dataDir, '--offline', '--trainer', 'thread'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));

    expect(code, output).toBe(0);
    const line = /^RESULT (.*)$/m.exec(output);
    expect(line, output).not.toBeNull();
    const { status, invalid } = JSON.parse(line![1]!);
    expect(status.kind).toBe('result');
    expect(status.result).toMatchObject({ state: 'training', backend: 'wasm', model: 'mlp-gan' });
    expect(invalid).toMatchObject({ kind: 'error', error: { code: 'INVALID_PARAMS' } });

    const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
    const open = db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE ended_at IS NULL').get() as { n: number };
    db.close();
    expect(open.n).toBe(0);
  });
});
