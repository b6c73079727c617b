/**
 * `airtist node` processes the benchmarks start themselves, with flags of their own per process (an offline
 * node, a node behind a WAN proxy), as the swarm harness's `Member`s so its helpers (views, rounds, describe)
 * work on them too. Each process's output is kept with a time stamp per line and written to `<name>.log`.
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { startMember, type Member } from '../worker/swarm/swarm.js';

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

/** `startMember`, with the process killed at exit whatever happens. */
export function launchNode(name: string, dataDir: string, args: string[], spawned?: (child: ChildProcess) => void): Promise<Member> {
  return startMember(name, dataDir, args, (child) => {
    children.add(child);
    spawned?.(child);
  });
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
