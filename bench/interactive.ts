/**
 * Benchmark (issue 9): what the user's own programs feel while the miner trains. An "interactive" program — a
 * frame loop that sleeps to its next 16 ms tick, then computes for 4 ms, as a game or a video player does — is
 * timed frame by frame: how late each frame's work finishes past its tick (beyond the 4 ms it needs), p50,
 * p99, and the frames that miss the tick after next (a visible stutter). Measured with the miner stopped (the
 * baseline), with the node training (its trainer at the lowest OS priority), and, for comparison, beside one
 * busy program at normal priority (what a miner without that care would be). Each on an idle machine and
 * with one other busy program, as users run it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode } from '../worker/node.js';
import { selectBackend } from '../worker/training/backend.js';
import { busyProcess, underLoads } from './load.js';
import { median, percentile, runIfMain, sleep } from './stats.js';

const SECONDS = Number(process.env.AIRTIST_BENCH_INTERACTIVE_SECONDS ?? 15);
const FRAME_MS = 16;
const WORK_MS = 4;

/** The frame loop, in a process of its own at normal priority: prints each frame's lateness (ms) as JSON. */
const FRAME_LOOP = `
const { performance } = require('node:perf_hooks');
const frame = ${FRAME_MS}, work = ${WORK_MS}, end = performance.now() + ${SECONDS * 1000};
const late = [];
let tick = performance.now() + frame;
function next() {
  const started = performance.now();
  while (performance.now() - started < work) {}
  late.push(performance.now() - tick - work);
  tick += frame;
  const now = performance.now();
  while (tick < now) tick += frame; // a missed tick is not caught up: the next one is the target
  if (now > end) return process.stdout.write(JSON.stringify(late));
  setTimeout(next, Math.max(0, tick - now));
}
setTimeout(next, frame);
`;

async function frames(): Promise<number[]> {
  const child = spawn(process.execPath, ['-e', FRAME_LOOP], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  await new Promise((resolve) => child.once('exit', resolve));
  return JSON.parse(out) as number[];
}

function line(name: string, late: number[], baseline: number[] | null): string {
  const stutters = late.filter((ms) => ms > FRAME_MS).length;
  const ratio = baseline ? `   p99 × ${(percentile(late, 99) / Math.max(0.1, percentile(baseline, 99))).toFixed(2)} the baseline's` : '';
  return `${name.padEnd(36)} late p50 ${median(late).toFixed(2)} ms   p99 ${percentile(late, 99).toFixed(2)} ms   stutters ${stutters} of ${late.length}${ratio}`;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-bench-interactive-'));
  try {
    const backend = await selectBackend('wasm');
    const node = await startNode({ dataDir: dir, model: 'mlp-gan', backend });
    await node.pause();
    await underLoads(async (load) => {
      console.log(`\n# Interactive programs beside the miner, ${load} (a ${FRAME_MS} ms frame loop with ${WORK_MS} ms of work, ${SECONDS} s each)`);
      const baseline = await frames();
      console.log(line('miner stopped (baseline)', baseline, null));
      await node.resume();
      await sleep(2000);
      console.log(line('miner training (trainer at nice 19)', await frames(), baseline));
      await node.pause();
      const busy = busyProcess();
      try {
        await sleep(500);
        console.log(line('a busy program at normal priority', await frames(), baseline));
      } finally {
        busy.kill('SIGKILL');
      }
    });
    await node.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await runIfMain(import.meta.url, run);
