/** Other programs keeping cores busy, as a user's would: the load a number is also taken under. */
import { spawn, type ChildProcess } from 'node:child_process';

export function busyProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
}

/** `AIRTIST_BENCH_LOADS=0,1,2`: how many busy processes each pass runs beside what it measures (default 0,1). */
export const LOADS = (process.env.AIRTIST_BENCH_LOADS ?? '0,1').split(',').map(Number).filter((n) => Number.isInteger(n) && n >= 0);

/** Runs `measure` under each load in `LOADS`, describing it ("idle machine", "1 other busy process"). */
export async function underLoads(measure: (load: string) => Promise<void>): Promise<void> {
  const busy: ChildProcess[] = [];
  try {
    for (const count of LOADS) {
      while (busy.length < count) busy.push(busyProcess());
      while (busy.length > count) busy.pop()!.kill('SIGKILL');
      await measure(count === 0 ? 'idle machine' : `${count} other busy process${count > 1 ? 'es' : ''}`);
    }
  } finally {
    for (const child of busy) child.kill('SIGKILL');
  }
}
