/**
 * The trainer process of a checkpoint, by pid, in a file beside the checkpoint. A pause freezes a trainer
 * process (trainer-link.ts), and a stopped process cannot notice that its node is gone: a node killed outright
 * (SIGKILL, the OOM killer) while a pause held its trainer frozen leaves that process stopped, holding its
 * memory and the work of its last step. The next trainer of the same checkpoint lets it go before it loads the
 * checkpoint: SIGCONT, upon which the old one sees its node gone, checkpoints and ends; one that does not end in
 * time is killed. Runs in the trainer process.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

export const pidPathOf = (checkpointPath: string) => `${checkpointPath}.trainer-pid`;

export type Leftover = 'none' | 'ended' | 'killed' | 'running';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Whether `pid` is a trainer process. Linux says (its command line); elsewhere nobody is sure, and then only
 * SIGCONT is sent, which does nothing to a process that is not stopped.
 */
function isTrainer(pid: number): boolean | null {
  if (process.platform !== 'linux') return null;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('trainer-process');
  } catch {
    return false;
  }
}

function recorded(pidPath: string): number | null {
  try {
    const pid = Number(readFileSync(pidPath, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 1 ? pid : null;
  } catch {
    return null; // none, or unreadable: nothing to let go
  }
}

/** Lets the trainer `pidPath` names go (see above), and waits up to `waitMs` for it to end. */
export async function releaseLeftover(pidPath: string, waitMs = 5000): Promise<Leftover> {
  const pid = recorded(pidPath);
  if (pid === null || pid === process.pid || !alive(pid)) return 'none';
  const trainer = isTrainer(pid);
  if (trainer === false) return 'none'; // the pid was taken by another program since
  try {
    process.kill(pid, 'SIGCONT');
  } catch {
    return 'none';
  }
  for (const deadline = Date.now() + waitMs; Date.now() < deadline; ) {
    if (!alive(pid)) return 'ended';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (!trainer) return 'running';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // it ended just now
  }
  return 'killed';
}

/** Records this process as the checkpoint's trainer (a failure is only a lost safety net, never fatal). */
export function claim(pidPath: string, pid = process.pid): void {
  try {
    writeFileSync(`${pidPath}.tmp`, `${pid}\n`);
    renameSync(`${pidPath}.tmp`, pidPath);
  } catch {
    // a read-only or full disk: the checkpoint's own write will say so
  }
}

/** Removes the record if it still names `pid`. */
export function unclaim(pidPath: string, pid = process.pid): void {
  try {
    if (recorded(pidPath) === pid) rmSync(pidPath, { force: true });
  } catch {
    // left behind: the next trainer finds no process of that pid, or not a trainer
  }
}
