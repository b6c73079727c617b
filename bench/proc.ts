/** What Linux's /proc says about the benchmark's child processes: memory, and who owns a TCP connection. */
import { readFile, readdir, readlink } from 'node:fs/promises';

/** Resident memory of a process in bytes (VmRSS), or null once it is gone. */
export async function residentBytes(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  const match = status && /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

/** Resident memory of a process and its trainer child, if it has one (the node's default placement). */
export async function nodeResidentBytes(pid: number): Promise<number | null> {
  const own = await residentBytes(pid);
  if (own === null) return null;
  const trainers = await childPids('trainer-process', pid);
  const theirs = await Promise.all(trainers.map(residentBytes));
  return theirs.reduce<number>((sum, bytes) => sum + (bytes ?? 0), own);
}

export interface TcpSocket {
  localPort: number;
  remotePort: number;
  /** 'ESTABLISHED', 'LISTEN', …, as /proc/net/tcp numbers them. */
  state: string;
  inode: string;
}

const STATES: Record<string, string> = { '01': 'ESTABLISHED', '0A': 'LISTEN', '06': 'TIME_WAIT', '08': 'CLOSE_WAIT' };

/** The IPv4 and IPv6 TCP sockets of this network namespace. */
export async function tcpSockets(): Promise<TcpSocket[]> {
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((path) => readFile(path, 'utf8').catch(() => '')));
  return tables.flatMap((table) =>
    table
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length > 9)
      .map(([, local, remote, state, , , , , , inode]) => ({
        localPort: parseInt(local!.split(':')[1]!, 16),
        remotePort: parseInt(remote!.split(':')[1]!, 16),
        state: STATES[state!] ?? state!,
        inode: inode!,
      })),
  );
}

/** Which of `pids` holds the socket connected from `localPort` to `remotePort` on this machine, if any. */
export async function connectionOwner(localPort: number, remotePort: number, pids: number[]): Promise<number | null> {
  const socket = (await tcpSockets()).find((s) => s.localPort === localPort && s.remotePort === remotePort);
  if (!socket) return null;
  const wanted = `socket:[${socket.inode}]`;
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) if ((await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')) === wanted) return pid;
  }
  return null;
}

/** The pids whose parent is `ppid` (this process's children by default) and whose command line holds `running`. */
export async function childPids(running: string, ppid = process.pid): Promise<number[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const matches = await Promise.all(
    pids.map(async (pid) => (await processStat(pid))?.[1] === ppid && ((await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).includes(running))),
  );
  return pids.filter((_, i) => matches[i]);
}

/** User and system CPU time of a process in ms (Linux counts in 1/100 s), or null once it is gone. */
export async function cpuMs(pid: number): Promise<number | null> {
  const fields = await processStat(pid);
  return fields ? (fields[11]! + fields[12]!) * 10 : null;
}

/** /proc/<pid>/stat's numeric fields after the command name (state is NaN), or null. */
async function processStat(pid: number): Promise<number[] | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat ? stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number) : null;
}

/** Linux's USER_HZ: /proc counts CPU time in these ticks on every architecture Node runs on. */
const CLOCK_TICKS = 100;

/** CPU time a process has used so far, user and system, in seconds (its threads included), or null once it is gone. */
export async function cpuSeconds(pid: number): Promise<number | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (!stat) return null;
  // Fields after the command (which may hold spaces, in parentheses): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
