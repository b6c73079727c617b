/**
 * Benchmarks 1 and 2: what the node costs training, and how fast it hands the machine back — each on an idle
 * machine and with one other busy program (a process spinning on one core), as users run it.
 *
 * 1. Node overhead: samples/s of the running node (trainer thread, progress and painting events, work
 *    units with checkpoints, ledger writes, a connected API client) against a bare tfjs loop doing the same
 *    steps on the same backend, model and batch, in this process, with the whole batch and with the node's
 *    own micro-batch. Measured alternately, three rounds each, so drift of the machine hits both sides
 *    alike; medians are compared. Target: node ≥ 0.95 × the bare whole-batch loop.
 * 2. Yield latency over pauses at random moments: from the request to the trainer's confirmation that it
 *    has stopped computing (target p99 ≤ 100 ms), and to the work so far being durable (checkpoint written
 *    and the unit in the ledger).
 * 3. The scheduler's path: in idle mode, from the desktop app's "user active" signal (reportSignals) to the
 *    trainer stopped (p50/p99, target p99 ≤ 100 ms), and the node's CPU while the schedule holds it (target
 *    < 1 % of a core), against the same node's CPU while training.
 * `AIRTIST_BENCH_TRAINER=thread|process` picks where the trainer runs (default: the node's default placement).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelName, ProgressPoint } from '../worker/api/contract.js';
import { startNode, type MinerNode } from '../worker/node.js';
import { selectBackend } from '../worker/training/backend.js';
import { preciseNow } from '../worker/training/protocol.js';
import { bareThroughput } from './bare-loop.js';
import { childPids, cpuMs } from './proc.js';
import { underLoads } from './load.js';
import { median, percentile, runIfMain, sleep } from './stats.js';

const MODEL: ModelName = 'mlp-gan';
const WINDOW_SECONDS = 10;
/** Alternating rounds: this machine's throughput drifts by ±15 % over tens of seconds. */
const ROUNDS = 3;
const PAUSES = 40;

/** Samples/s of the running node over a window, from the steps its progress events report. */
async function nodeThroughput(node: MinerNode, batchSize: number, seconds: number): Promise<{ rate: number; microBatch: number }> {
  const points: ProgressPoint[] = [];
  const off = node.hub.connect((message) => {
    if (message.kind === 'event' && message.event === 'progress') points.push(message.data as ProgressPoint);
  });
  await node.resume();
  await sleep(3000); // warm-up after the pause, and time for the tuner to settle
  points.length = 0;
  await sleep(seconds * 1000);
  off.close();
  await node.pause();
  const first = points[0];
  const last = points.at(-1);
  // A trainer at the lowest priority may get no CPU at all while other programs take every core.
  if (!first || !last || last === first) return { rate: 0, microBatch: last?.microBatch ?? 0 };
  return { rate: ((last.step - first.step) * batchSize) / ((last.time - first.time) / 1000), microBatch: last.microBatch };
}

async function overhead(node: MinerNode, batchSize: number): Promise<{ node: number; microBatch: number }> {
  const bare: number[] = [];
  const bareMicro: number[] = [];
  const viaNode: number[] = [];
  let microBatch = batchSize;
  for (let round = 0; round < ROUNDS; round++) {
    const measured = await nodeThroughput(node, batchSize, WINDOW_SECONDS);
    viaNode.push(measured.rate);
    microBatch = measured.microBatch;
    bare.push(bareThroughput({ model: MODEL, batchSize, seconds: WINDOW_SECONDS, warmupSteps: 5 }));
    bareMicro.push(bareThroughput({ model: MODEL, batchSize, microBatch, seconds: WINDOW_SECONDS, warmupSteps: 5 }));
  }
  const show = (values: number[]) => `${values.map((v) => v.toFixed(0)).join(', ')} samples/s (median ${median(values).toFixed(0)})`;
  console.log(`bare loop, whole batch          ${show(bare)}`);
  console.log(`bare loop, micro-batch ${String(microBatch).padEnd(9)}${show(bareMicro)}`);
  console.log(`running node (micro-batch ${microBatch})   ${show(viaNode)}`);
  console.log(`ratio node / bare whole batch   ${(median(viaNode) / median(bare)).toFixed(3)}   (target ≥ 0.95)`);
  console.log(`ratio node / bare same micro    ${(median(viaNode) / median(bareMicro)).toFixed(3)}   (the node's own machinery: thread, events, paintings, checkpoints, ledger)`);
  return { node: median(viaNode), microBatch };
}

async function yieldLatency(node: MinerNode): Promise<void> {
  const toConfirmed: number[] = [];
  const toLastMicroStep: number[] = [];
  const toRecorded: number[] = [];
  let recorded: (() => void) | null = null;
  const off = node.hub.connect((message) => {
    if (message.kind === 'event' && message.event === 'work') recorded?.();
  });
  for (let i = 0; i < PAUSES; i++) {
    await node.resume();
    await sleep(500 + Math.random() * 500); // long enough for a step to finish, so there is work to record
    const durable = new Promise<void>((resolve) => (recorded = resolve));
    const requested = preciseNow();
    const lastMicroStepEnded = await node.pause();
    toConfirmed.push(preciseNow() - requested);
    toLastMicroStep.push(Math.max(0, lastMicroStepEnded - requested));
    const inTime = await Promise.race([durable.then(() => true), sleep(10_000).then(() => false)]);
    if (inTime) toRecorded.push(preciseNow() - requested);
  }
  off.close();
  const show = (values: number[]) => `p50 ${median(values).toFixed(1)} ms   p99 ${percentile(values, 99).toFixed(1)} ms`;
  console.log(`request → last micro-step ends   ${show(toLastMicroStep)}`);
  console.log(`request → pause confirmed        ${show(toConfirmed)}   (target p99 ≤ 100 ms)`);
  console.log(`request → work durable           ${show(toRecorded)}   (checkpoint written, unit in the ledger; ${toRecorded.length} of ${PAUSES} pauses had a unit to record)`);
}

/** What a call through the control API answers, as the desktop app would make it. */
async function call(node: MinerNode, method: string, params: object = {}): Promise<unknown> {
  const reply = await node.hub.dispatcher.handle({ kind: 'call', id: 1, method, params });
  if (reply?.kind !== 'result') throw new Error(`${method}: ${JSON.stringify(reply)}`);
  return reply.result;
}

async function schedulerYield(node: MinerNode): Promise<void> {
  await node.resume();
  await call(node, 'setSettings', { scheduleMode: 'idle', idleThresholdSeconds: 60, maxOtherLoadPercent: 100 });
  const latencies: number[] = [];
  for (let i = 0; i < PAUSES; i++) {
    await call(node, 'reportSignals', { idleSeconds: 3600 });
    await sleep(400 + Math.random() * 400);
    const signalled = preciseNow();
    await call(node, 'reportSignals', { idleSeconds: 0 }); // answered once the trainer has stopped
    latencies.push(preciseNow() - signalled);
  }
  console.log(`"user active" → trainer stopped  p50 ${median(latencies).toFixed(1)} ms   p99 ${percentile(latencies, 99).toFixed(1)} ms   (target p99 ≤ 100 ms)`);
  // CPU of the whole node over 10 s (every thread, and a trainer process), held by the schedule and then training.
  const childrenMs = async () => (await Promise.all((await childPids('trainer-process')).map(cpuMs))).reduce<number>((sum, ms) => sum + (ms ?? 0), 0);
  const cpuShare = async (seconds: number, keep: () => Promise<unknown>) => {
    const timer = setInterval(() => void keep(), 1000);
    const before = process.cpuUsage();
    const childrenBefore = await childrenMs();
    const started = preciseNow();
    await sleep(seconds * 1000);
    const used = process.cpuUsage(before);
    const children = (await childrenMs()) - childrenBefore;
    clearInterval(timer);
    return ((used.user + used.system) / 1000 + children) / (preciseNow() - started);
  };
  const held = await cpuShare(10, () => call(node, 'reportSignals', { idleSeconds: 0 }));
  const training = await cpuShare(10, () => call(node, 'reportSignals', { idleSeconds: 3600 }));
  console.log(`node CPU held by the schedule    ${(held * 100).toFixed(2)} % of a core   (target < 1 %; training: ${(training * 100).toFixed(0)} %)`);
  await call(node, 'setSettings', { scheduleMode: 'always' });
  await node.pause();
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'airtist-bench-node-'));
  try {
    const backend = await selectBackend('wasm');
    const isolation = process.env.AIRTIST_BENCH_TRAINER;
    const node = await startNode({ dataDir: dir, model: MODEL, backend, ...(isolation === 'thread' || isolation === 'process' ? { trainer: { isolation } } : {}) });
    await node.pause();
    const batchSize = node.status().batchSize;
    await underLoads(async (load) => {
      console.log(`\n# 1. Node overhead, ${load} (${MODEL}, batch ${batchSize}, backend ${backend}, trainer ${isolation ?? "default placement"}, ${WINDOW_SECONDS} s windows)`);
      const { node: rate, microBatch } = await overhead(node, batchSize);
      console.log(`\n# 2. Yield latency, ${load} (${PAUSES} pauses at random moments; step ≈ ${((batchSize / rate) * 1000).toFixed(0)} ms, micro-batch ${microBatch})`);
      await yieldLatency(node);
      console.log(`\n# 3. The scheduler, ${load} (idle mode, the desktop app's signals)`);
      await schedulerYield(node);
    });
    await node.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await runIfMain(import.meta.url, run);
