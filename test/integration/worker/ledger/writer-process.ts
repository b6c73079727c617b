/** Starts and kills a crash-test writer (fixtures/writer.ts, fixtures/commit-writer.ts) as a real child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export interface Writer {
  child: ChildProcess;
  /** The highest count the writer has reported committed. */
  reported(): number;
  /** Resolves once the writer has reported at least `count`. */
  reach(count: number, timeoutMs?: number): Promise<void>;
  /** SIGKILL, like a power button for the process: no handler, no cleanup. */
  kill9(): Promise<NodeJS.Signals | null>;
}

/** `script`: a file of fixtures/, given `args`. */
export function startWriter(args: string[], script = 'writer.ts'): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(`./fixtures/${script}`, import.meta.url)), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let reported = 0;
  let partial = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? ''; // a line cut by the kill is not a report
    for (const line of lines) reported = Math.max(reported, Number(line));
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

  return {
    child,
    reported: () => reported,
    reach(count, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const done = (error?: Error) => {
          waiters.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve();
        };
        const check = () => reported >= count && done();
        const timer = setTimeout(() => done(new Error(`writer reported ${reported}/${count}: ${stderr}`)), timeoutMs);
        void exited.then(() => reported < count && done(new Error(`writer exited early: ${stderr}`)));
        waiters.add(check);
        check();
      });
    },
    async kill9() {
      child.kill('SIGKILL');
      return exited;
    },
  };
}
