/**
 * `npm start` on a machine without Electron's binary or a display: the launcher starts the headless miner
 * in the desktop app's data directory, prints the dashboard URL, and passes Ctrl-C through to a clean exit.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const LAUNCHER = fileURLToPath(new URL('../../../dist/electron/launcher.js', import.meta.url));

describe('npm start launcher (headless fallback)', { timeout: 90_000 }, () => {
  const configHome = mkdtempSync(join(tmpdir(), 'airtist-xdg-'));
  afterAll(() => rmSync(configHome, { recursive: true, force: true }));

  it('runs the headless miner in the desktop data dir and stops cleanly on SIGINT', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: configHome, AIRTIST_HEADLESS: '1' };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, [LAUNCHER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no dashboard URL:\n${output}`)), 60_000);
      child.stdout.on('data', () => {
        const match = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64})/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    const dataDir = join(configHome, 'AIRTIST Miner');
    expect(existsSync(join(dataDir, 'ledger.sqlite'))).toBe(true);
    const response = await fetch(url.replace('/?token=', '/api/status?token='));
    expect(response.status).toBe(200);

    child.kill('SIGINT');
    expect(await exited, output).toBe(0);
  });
});
