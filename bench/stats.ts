/** Small helpers shared by the benchmarks. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (values: number[]) => percentile(values, 50);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `run` when the module is the program's entry point (`node dist/bench/x.js`). */
export async function runIfMain(moduleUrl: string, run: () => Promise<void>): Promise<void> {
  const { pathToFileURL } = await import('node:url');
  if (process.argv[1] && moduleUrl === pathToFileURL(process.argv[1]).href) await run();
}
