/** The `airtist` program's answers to bad input: one clear line, the right exit code, no stack trace. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, connectApi, nextEvent, sleep, startNodeProcess } from '../../helpers/node-process.js';
import { unzip } from '../../helpers/unzip.js';

const airtist = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
const nativeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

describe('airtist cli', { timeout: 90_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'airtist-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('prints usage for no command (exit 2) and for --help (exit 0)', () => {
    expect(airtist().status).toBe(2);
    const help = airtist('node', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--data-dir DIR');
  });

  it.each([
    [['node', '--port', 'abc'], /--port must be an integer from 0 to 65535/],
    [['node', '--model', 'gpt'], /--model must be one of dcgan, mlp-gan/],
    [['node', '--min-free-disk', 'lots'], /--min-free-disk must be an integer from 0 to 1000000/],
    [['node', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['node', '--port', '-1'], /--port must be an integer from 0 to 65535, got "-1"/],
    [['mine'], /unknown command "mine"/],
  ])('rejects %j with exit 2 and a one-line reason', (args, reason) => {
    const result = airtist(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['is a file', (root: string) => join(root, 'a-file'), /is a file, not a folder: pass another --data-dir$/],
    ['lies under a file', (root: string) => join(root, 'a-file', 'node'), /a part of its path is a file: pass another --data-dir$/],
  ])('says in one line when the data dir %s (exit 1, no stack trace)', (_what, dirOf, reason) => {
    const root = mkdtempSync(join(tmpdir(), 'airtist-cli-dir-'));
    try {
      writeFileSync(join(root, 'a-file'), 'not a folder');
      const result = airtist('node', '--offline', '--data-dir', dirOf(root), '--port', '0');
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toMatch(reason);
      expect(result.stderr).not.toMatch(/\n\s+at |Usage:/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('says a busy port before it makes any file, without the usage text (exit 1)', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const root = mkdtempSync(join(tmpdir(), 'airtist-cli-port-'));
    try {
      const port = (busy.address() as AddressInfo).port;
      const result = airtist('node', '--offline', '--data-dir', join(root, 'node'), '--port', String(port));
      expect(result.status).toBe(1);
      expect(result.stderr.trim()).toBe(`airtist node: port ${port} is in use (another node?); stop it, or pass --port 0 for a free one`);
      expect(existsSync(join(root, 'node'))).toBe(false);
    } finally {
      busy.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('status tells what the running node does and where its dashboard is; stop stops it cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airtist-cli-status-'));
    try {
      expect(airtist('status', '--data-dir', dir)).toMatchObject({ status: 3, stderr: `airtist status: no node is running on ${dir}\n` });
      const running = await startNodeProcess(dir);
      expect(running.output()).toContain(`Data dir: ${dir}`);
      const status = airtist('status', '--data-dir', dir);
      expect(status.status, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`^running \\(pid ${running.child.pid}\\) · (training|starting) · backend wasm · step \\d+`));
      expect(status.stdout).toContain(`Dashboard: ${running.url}`);
      const stop = airtist('stop', '--data-dir', dir);
      expect(stop).toMatchObject({ status: 0, stdout: `stopped the node on ${dir} (pid ${running.child.pid})\n` });
      expect(await running.exited).toBe(0);
      expect(airtist('status', '--data-dir', dir).status).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('diagnostics: the running node writes a zip of its report and log, with no secret in it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airtist-cli-diagnostics-'));
    try {
      expect(airtist('diagnostics', '--data-dir', dir).status).toBe(3);
      const running = await startNodeProcess(dir);
      const result = airtist('diagnostics', '--data-dir', dir);
      expect(result.status, result.stderr).toBe(0);
      const path = /^Diagnostics: (\S+\.zip) \(\d+ KiB: report\.json, node\.log\)$/m.exec(result.stdout)?.[1];
      expect(path, result.stdout).toBeDefined();
      expect(path!.startsWith(join(dir, 'diagnostics'))).toBe(true);
      expect(statSync(path!).mode & 0o777).toBe(0o600);
      const files = await unzip(readFileSync(path!));
      const report = JSON.parse(files.get('report.json')!.text) as { app: { version: string }; status: { backend: string }; settings: object; runtime: { node: string } };
      expect(report).toMatchObject({ app: { version: expect.any(String) }, status: { backend: 'wasm' }, runtime: { node: process.versions.node } });
      expect(files.get('node.log')!.text).toMatch(/node [0-9a-f]{8}: .* backend wasm/);
      const token = readFileSync(join(dir, 'api-token'), 'utf8').trim();
      for (const { text } of files.values()) expect(text).not.toContain(token);
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--paused starts the node paused this time only, without touching the saved setting; Resume trains', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airtist-cli-paused-'));
    try {
      const running = await startNodeProcess(dir, ['--paused']);
      const api = await connectApi(running);
      try {
        let held = await api.call('status');
        for (const until = Date.now() + 60_000; held.state === 'starting' && Date.now() < until; held = await api.call('status')) await sleep(200);
        expect(held).toMatchObject({ state: 'paused', cause: { kind: 'start-paused' } });
        expect((await api.call('getSettings')).startPaused).toBe(false);
        // Held still: no step is taken while it waits.
        await sleep(1500);
        expect((await api.call('status')).step).toBe(held.step);
        expect(await api.call('resume')).toMatchObject({ state: 'training' });
        await nextEvent<{ step: number }>(api, 'progress', (p) => p.step > held.step, 60_000);
      } finally {
        api.close();
        running.child.kill('SIGTERM');
      }
      expect(await running.exited).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to share a data dir with a running node', async () => {
    const running = await startNodeProcess(dataDir);
    try {
      const second = airtist('node', '--data-dir', dataDir, '--port', '0');
      expect(second.status).toBe(1);
      expect(second.stderr).toContain(`another AIRTIST node (pid ${running.child.pid}) is using ${dataDir}`);
    } finally {
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
    }
  });

  it.runIf(!nativeInstalled)('says why training cannot start on a missing backend, and leaves a clean ledger', () => {
    const result = airtist('node', '--data-dir', dataDir, '--port', '0', '--backend', 'node', '--listen', '/ip4/127.0.0.1/tcp/0');
    expect(result.status).toBe(1);
    // The peer starts while the trainer loads; it is stopped again, and the reason is the last word.
    expect(result.stderr.trim().split('\n').at(-1)).toBe('airtist node: cannot start training: no usable compute backend (node: not installed)');
    const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
