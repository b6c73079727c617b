/**
 * `airtist node` processes the benchmarks start themselves, with flags of their own per process (an offline
 * node, a node behind a WAN proxy), as the swarm harness's `Member`s so its helpers (views, rounds, describe)
 * work on them too. Each process's output is kept with a time stamp per line and written to `<name>.log`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type Member } from '../worker/swarm/swarm.js';

const CLI = fileURLToPath(new URL('../worker/cli.js', import.meta.url));
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 20_000;

/** Every child process a benchmark started, killed at exit whatever happened before. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) if (running(child)) child.kill('SIGKILL');
});

export const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** Registers a process started elsewhere (a swarm's member) to be killed at exit too. */
export function killAtExit(child: ChildProcess): void {
  children.add(child);
}

/** A port free on 127.0.0.1 now (the usual small race with whoever binds next is acceptable here). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `airtist node --data-dir <dataDir> <args>` and resolves once its dashboard serves, connected to its
 * control API. `spawned` is told the process at once, before it dials anyone.
 */
export async function launchNode(name: string, dataDir: string, args: string[], spawned?: (child: ChildProcess) => void): Promise<Member> {
  const child = spawn(process.execPath, [CLI, 'node', '--data-dir', dataDir, '--port', '0', '--progress-every', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  spawned?.(child);
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    const time = new Date().toISOString().slice(11, 23);
    output.push(chunk.toString().replace(/^(?=.)/gm, `${time} `));
    if (output.length > 2000) output.splice(0, 1000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output.join('')}`)), START_TIMEOUT_MS);
      child.stdout!.on('data', () => {
        const match = /^\S+ Dashboard: (http:\/\/\S+)$/m.exec(output.join(''));
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) before serving:\n${output.join('')}`));
      });
    });
    const api = await connect(url);
    const network = await api.call('network');
    const address = network.addresses.find((a) => a.includes('/tcp/') && !a.includes('/ws')) ?? network.addresses[0] ?? '';
    return { name, dataDir, child, output, api, url, peerId: network.peerId ?? '', address, losses: new Map() };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Stops a node as a user would (SIGINT; SIGKILL if it hangs) and appends its output to `<logDir>/<name>.log`. */
export async function stopNode(member: Member, logDir: string): Promise<void> {
  member.api.close();
  if (running(member.child)) {
    const exited = new Promise((resolve) => member.child.once('exit', resolve));
    const kill = setTimeout(() => member.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    member.child.kill('SIGINT');
    await exited;
    clearTimeout(kill);
  }
  appendFileSync(join(logDir, `${member.name}.log`), `${member.output.join('')}--- ${member.name} ended ---\n`);
}

/** The last `lines` lines a member printed, for a report of what went wrong. */
export function logTail(member: Member, lines = 30): string {
  return member.output.join('').trimEnd().split('\n').slice(-lines).map((line) => `  ${member.name} | ${line}`).join('\n');
}
