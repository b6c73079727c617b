/**
 * Benchmark (issue 9): the worker's memory over a long run — a node training for `AIRTIST_BENCH_SOAK_MINUTES`
 * (default 10), its resident memory (the node and its trainer, a child process or a thread) sampled every 30 s, and the
 * growth from the first minute to the end against that first reading. A leak shows as a steady climb; a
 * healthy node levels off once its caches and the wasm heap have grown to their working size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode } from '../worker/node.js';
import { selectBackend } from '../worker/training/backend.js';
import { nodeResidentBytes } from './proc.js';
import { runIfMain, sleep } from './stats.js';

const MINUTES = Number(process.env.AIRTIST_BENCH_SOAK_MINUTES ?? 10);
const EVERY_MS = 30_000;

/** The node's resident memory, this process's and its trainer process's (without /proc, this process's alone). */
async function residentMiB(): Promise<number> {
  const bytes = await nodeResidentBytes(process.pid).catch(() => null);
  return (bytes ?? process.memoryUsage().rss) / 2 ** 20;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-bench-soak-'));
  try {
    const backend = await selectBackend('wasm');
    const node = await startNode({ dataDir: dir, model: 'mlp-gan', backend });
    console.log(`\n# Worker memory over ${MINUTES} min of training (mlp-gan, ${backend}; the node and its trainer)`);
    const samples: Array<{ minute: number; mib: number; step: number }> = [];
    const started = Date.now();
    while (Date.now() - started < MINUTES * 60_000) {
      await sleep(EVERY_MS);
      samples.push({ minute: (Date.now() - started) / 60_000, mib: await residentMiB(), step: node.status().step });
    }
    console.log(samples.map((s) => `${s.minute.toFixed(1)} min ${s.mib.toFixed(0)} MiB (step ${s.step})`).join('\n'));
    // After the first minute (the wasm heap and caches grow to their working size): the range, and the trend
    // as a least-squares slope, which one GC's ups and downs at either end cannot fake as a leak.
    const settled = samples.filter((s) => s.minute >= 1);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const mx = mean(settled.map((s) => s.minute));
    const my = mean(settled.map((s) => s.mib));
    const slope = settled.reduce((sum, s) => sum + (s.minute - mx) * (s.mib - my), 0) / Math.max(1e-9, settled.reduce((sum, s) => sum + (s.minute - mx) ** 2, 0));
    const values = settled.map((s) => s.mib);
    console.log(
      `after the first minute: ${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} MiB, mean ${my.toFixed(0)}; trend ${slope >= 0 ? '+' : ''}${(slope * 60).toFixed(0)} MiB an hour (least squares; ${(((slope * 60) / my) * 100).toFixed(1)} % of the mean)`,
    );
    // The collector's sawtooth swings the readings by tens of MiB; what it leaves behind each cycle is the low
    // point. A leak raises the lows; a healthy node's lows stay level.
    const windows = Math.max(1, Math.floor(MINUTES / 5));
    const lows = Array.from({ length: windows }, (_, w) => settled.filter((s) => s.minute >= 1 + (w * (MINUTES - 1)) / windows && s.minute < 1 + ((w + 1) * (MINUTES - 1)) / windows + 1e-9).map((s) => s.mib))
      .filter((window) => window.length > 0)
      .map((window) => Math.min(...window));
    console.log(`lowest reading in each of ${lows.length} equal spans after the first minute: ${lows.map((low) => low.toFixed(0)).join(', ')} MiB (${(lows.at(-1)! - lows[0]!).toFixed(0)} MiB from first to last)`);
    await node.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await runIfMain(import.meta.url, run);
