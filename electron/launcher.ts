/**
 * `npm start`, run by plain Node: start the desktop app when Electron can run here, otherwise the headless
 * miner on the same data folder. Side effects only; the decisions live in launch-plan.ts and
 * worker/default-data-dir.ts.
 */
import { spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary.js';
import { DEFAULT_API_PORT, headlessArgs, headlessNotice, planLaunch } from './launch-plan.js';
import { defaultDataDir } from '../worker/default-data-dir.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function electronPackageDir(): string | null {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The default port when it is free, else 0 (the node picks one and prints it). */
function pickPort(port: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(port)));
  });
}

/** Run a child on our terminal; pass our stop signals on and exit the way it exits. */
function runForwarding(command: string, args: string[], options: SpawnOptions): void {
  const child = spawn(command, args, { ...options, stdio: 'inherit' });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of signals) process.on(signal, forward);
  child.once('error', (error) => {
    console.error(`AIRTIST Miner: could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.once('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    // Die of the same signal so that our parent (a shell, npm) sees what really happened.
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

const plan = planLaunch({
  platform: process.platform,
  env: process.env,
  electronBinary: findElectronBinary({
    packageDir: electronPackageDir(),
    env: process.env,
    readText: (file) => (existsSync(file) ? readFileSync(file, 'utf8') : null),
    exists: existsSync,
  }),
});

if (plan.mode === 'electron') {
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE; // inherited from a parent Electron it would turn the app into plain Node
  runForwarding(plan.binary, ['.'], { cwd: repoRoot, env });
} else {
  console.log(headlessNotice(plan.reason));
  const cli = path.join(repoRoot, 'dist', 'worker', 'cli.js');
  const port = await pickPort(DEFAULT_API_PORT);
  runForwarding(process.execPath, headlessArgs(cli, defaultDataDir(), port), { cwd: repoRoot });
}
