/**
 * Benchmark 7: the swarm as a network — real `airtist node` processes on loopback (mlp-gan on wasm).
 *
 * 1. Join time: from starting a 4th process next to a running 3-peer swarm to its first step in the network's
 *    round (synced, then trained), three fresh newcomers; baseline: the same process started offline, to its
 *    first step, alternated with the joins on the same busy machine. Target: ≤ 5 s on loopback.
 * 2. Compute utilization under an emulated WAN (100 ms RTT, 20 Mbit/s per peer, through wan-proxy.ts in front
 *    of every peer): training seconds / wall seconds per peer over several rounds once all are in, against
 *    the same swarm on plain loopback. H is far above what a window holds, so the window ends every round and
 *    the trainer never waits for the network unless the round machinery makes it. Target ≥ 97 %.
 * 3. Scale: the largest swarm of the tiny model (tiny-gan, batch 8) this machine runs: N = 4, 8, 16, 32, 64
 *    peers, 3 rounds each, rounds of N seconds (20 at least: two cores train every peer's H steps in a round)
 *    and a quorum of N — whether every round's hashes agree, contributions per round, how long each round
 *    took, resident memory per peer (its trainer's included), startup time. Stops at the first N that fails,
 *    would pass 70 % of memory, or the time budget. `AIRTIST_BENCH_SCALE_TRAINER=thread` trains each peer in a
 *    thread instead of a process (the app's default): 64 peers fit this machine's memory only so.
 *
 * `AIRTIST_BENCH_NETWORK=join,wan,scale` picks parts; `AIRTIST_BENCH_SCALE=4,8,16,32` the swarm sizes;
 * `AIRTIST_BENCH_NETWORK_MINUTES` the time budget (default 8); `AIRTIST_BENCH_KEEP=1` keeps the temp dir with
 * every peer's log.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Swarm, type Member, type SwarmRound } from '../worker/swarm/swarm.js';
import { freePort, killAtExit, launchNode, logTail, stopNode } from './launch.js';
import { childPids, connectionOwner, cpuSeconds, nodeResidentBytes, tcpSockets } from './proc.js';
import { median, runIfMain, sleep } from './stats.js';
import { link, startWanProxy, type Link, type WanProxy } from './wan-proxy.js';

const PARTS = new Set((process.env.AIRTIST_BENCH_NETWORK ?? 'join,wan,scale').split(','));
const SCALE = (process.env.AIRTIST_BENCH_SCALE ?? '4,8,16,32,64').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 1);
/** Where each scale peer trains (`--trainer`): the app's default, a process, unless `thread` is asked. */
const SCALE_TRAINER = process.env.AIRTIST_BENCH_SCALE_TRAINER === 'thread' ? ['--trainer', 'thread'] : [];
/** The whole file's time on this machine (2 cores): the scale part tries a larger N only if it fits. */
const BUDGET_MS = Number(process.env.AIRTIST_BENCH_NETWORK_MINUTES ?? 8) * 60_000;
const POLL_MS = 50;
const MODEL = ['--model', 'mlp-gan', '--backend', 'wasm'];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const kB = (bytes: number) => (bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1000).toFixed(1)} kB`);
const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length);
const quiet = () => undefined;
const runFlags = (roundSeconds: number, innerSteps: number, batchSize: number, model = MODEL) => [
  '--round-seconds', String(roundSeconds), '--inner-steps', String(innerSteps), '--batch-size', String(batchSize), ...model,
];

// ------------------------------------------------------------------------------------------ 1. join time

const JOIN = { peers: 3, roundSeconds: 5, innerSteps: 10, batchSize: 16, tries: 3 };

/**
 * Polls a node started on a fresh data dir until its trainer has finished a step in a round (offline: at
 * all). A fresh node starts at step 0 and, in rounds, holds until the round's weights are in, so step 1 is its
 * first step in the network's round. Returns when that was seen.
 */
async function firstStep(member: Member, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [network, status] = await Promise.all([member.api.call('network'), member.api.call('status')]);
    const inRound = network.enabled ? network.round !== null && network.round.phase !== 'starting' && network.round.phase !== 'syncing' : true;
    if (inRound && status.step > 0) return Date.now();
    if (Date.now() > deadline) throw new Error(`${member.name}: no step within ${seconds(timeoutMs)} (phase ${network.round?.phase}, step ${status.step})\n${logTail(member)}`);
    await sleep(POLL_MS);
  }
}

const DAY_MS = 86_400_000;

/** When `member` first printed a line matching `pattern`, in ms of the UTC day (how its lines are stamped). */
function printedAt(member: Member, pattern: RegExp): number | null {
  const line = member.output.join('').split('\n').find((l) => pattern.test(l));
  const stamp = line && /^(\d\d):(\d\d):(\d\d)\.(\d\d\d) /.exec(line);
  if (!stamp) return null;
  const [h, m, s, ms] = stamp.slice(1).map(Number) as [number, number, number, number];
  return (h * 3600 + m * 60 + s) * 1000 + ms;
}

/** Ms from `since` (a Date.now()) to the first line matching `pattern`. */
function printedAfter(member: Member, pattern: RegExp, since: number): number | null {
  const at = printedAt(member, pattern);
  return at === null ? null : (((at - (since % DAY_MS)) % DAY_MS) + DAY_MS) % DAY_MS;
}

/** Ms between the first lines matching `first` and `then`. */
function between(member: Member, first: RegExp, then: RegExp): number | null {
  const [a, b] = [printedAt(member, first), printedAt(member, then)];
  return a === null || b === null ? null : (((b - a) % DAY_MS) + DAY_MS) % DAY_MS;
}

/** The node's log lines that mark its start: the trainer thread ready, the p2p peer up, the join's sync. */
const READY = /\] node [0-9a-f]+: /;
const P2P_UP = /\] p2p: peer /;
const SYNCING = /rounds: syncing \(joining\)/;
const SYNCED = /rounds: (synced to|the network is at) round/;

async function joinTime(root: string): Promise<void> {
  const { peers, roundSeconds, innerSteps, batchSize, tries } = JOIN;
  console.log(`\n# 7.1 Join time: a 4th process joining ${peers} running peers (mlp-gan, wasm, batch ${batchSize}, ${roundSeconds} s rounds, H ${innerSteps})`);
  const swarm = await Swarm.start({ dataDir: join(root, 'join'), roundSeconds, innerSteps, batchSize, model: 'mlp-gan', backend: 'wasm', print: quiet }, peers);
  const joins: number[] = [];
  const solos: number[] = [];
  try {
    swarm.members.forEach((m) => killAtExit(m.child));
    await swarm.nextFullRound(60_000);
    for (let i = 0; i < tries; i++) {
      // The newcomer and the offline start alternate, so the machine's drift hits both alike.
      const started = Date.now();
      const member = await swarm.add();
      killAtExit(member.child);
      const served = Date.now() - started;
      const stepped = (await firstStep(member, 60_000)) - started;
      const round = (await member.api.call('network')).round?.round;
      await swarm.kill(member);
      joins.push(stepped);

      const soloStarted = Date.now();
      const solo = await launchNode(`offline-${i}`, join(root, 'join', `offline-${i}`), ['--offline', '--batch-size', String(batchSize), ...MODEL]);
      const soloServed = Date.now() - soloStarted;
      const soloStepped = await firstStep(solo, 60_000)
        .then((at) => at - soloStarted)
        .finally(() => stopNode(solo, join(root, 'join')));
      solos.push(soloStepped);
      const at = (m: Member, since: number, pattern: RegExp) => {
        const ms = printedAfter(m, pattern, since);
        return ms === null ? '?' : seconds(ms);
      };
      console.log(
        `join ${i + 1}: trainer ready ${at(member, started, READY)} · p2p up ${at(member, started, P2P_UP)} · syncing ${at(member, started, SYNCING)} · ` +
          `synced ${at(member, started, SYNCED)} · serving ${seconds(served)} · first step (round ${round}) ${seconds(stepped)}\n` +
          `        offline: trainer ready ${at(solo, soloStarted, READY)} · serving ${seconds(soloServed)} · first step ${seconds(soloStepped)}`,
      );
    }
  } finally {
    await swarm.stop();
  }
  const max = (values: number[]) => Math.max(...values);
  console.log(`joining  median ${seconds(median(joins))}  max ${seconds(max(joins))}   (target ≤ 5 s on loopback)`);
  console.log(`offline  median ${seconds(median(solos))}  max ${seconds(max(solos))}`);
  console.log(`ratio join / offline start  ${(median(joins) / median(solos)).toFixed(2)}   (what joining costs over starting alone)`);
}

// ------------------------------------------------------------------------------------ 2. utilization

const WAN = { oneWayDelayMs: 50, bitsPerSecond: 20e6 };
/**
 * 3 peers sharing 2 cores train ~1–2 steps/s each (mlp-gan, batch 16): a 10 s window holds ~20 steps, so
 * H = 1000 is never reached and the window ends every round, with the steps trained while a round commits
 * counted toward the next (the trainer is never held).
 */
const UTIL = { peers: 3, roundSeconds: 10, innerSteps: 1000, batchSize: 16, rounds: 4 };

interface LinkedPeer {
  member: Member;
  listenPort: number;
  proxy: WanProxy | null;
  /** Its emulated access link, which counts the bytes it sent and received on the wire. */
  link: Link | null;
  /** Bytes it had received on the wire when it served (after joining): its sync's download. */
  joinBytes: number;
}

/**
 * Starts the peers, each listening on a port of its own; with `wan`, each behind a proxy whose port is the
 * only one it announces (and the one the others bootstrap through). Pushes each peer as it starts, so the
 * caller stops what started even when a later one fails.
 */
async function startLinked(dir: string, wan: boolean, peers: LinkedPeer[], proxies: WanProxy[]): Promise<void> {
  const links = new Map<number, Link>(); // pid → its access link, for the proxies to shape the dialer's side too
  const { roundSeconds, innerSteps, batchSize } = UTIL;
  for (let i = 0; i < UTIL.peers; i++) {
    const listenPort = await freePort();
    const own = link(WAN.bitsPerSecond);
    let proxy: WanProxy | null = null;
    if (wan) {
      proxy = await startWanProxy({
        targetPort: listenPort,
        link: own,
        oneWayDelayMs: WAN.oneWayDelayMs,
        dialerLink: async (port) => {
          const pid = await connectionOwner(port, proxy!.port, [...links.keys()]);
          return pid === null ? null : (links.get(pid) ?? null);
        },
      });
      proxies.push(proxy);
    }
    const args = [
      '--listen', `/ip4/127.0.0.1/tcp/${listenPort}`,
      ...(proxy ? ['--announce', `/ip4/127.0.0.1/tcp/${proxy.port}`] : []),
      '--no-mdns', ...runFlags(roundSeconds, innerSteps, batchSize),
      ...(peers[0] ? ['--bootstrap', peers[0].member.address] : []),
    ];
    const member = await launchNode(`peer-${i}`, join(dir, `peer-${i}`), args, (child) => links.set(child.pid!, own));
    peers.push({ member, listenPort, proxy, link: proxy ? own : null, joinBytes: own.down.bytes });
    if (proxy && !member.address.includes(`/tcp/${proxy.port}/`)) console.log(`warning: ${member.name} announces ${member.address}, not its proxy's port ${proxy.port}`);
  }
}

/** Waits until every peer is connected to every other; with proxies, checks no connection bypasses them. */
async function checkConnected(peers: LinkedPeer[]): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const counts = await Promise.all(peers.map(async ({ member }) => (await member.api.call('network')).peers.length));
    if (counts.every((count) => count >= peers.length - 1)) break;
    if (Date.now() > deadline) throw new Error(`peers see ${counts.join(', ')} peers, not ${peers.length - 1} each\n${peers.map((p) => logTail(p.member, 15)).join('\n')}`);
    await sleep(250);
  }
  const proxies = peers.flatMap((p) => (p.proxy ? [p.proxy] : []));
  if (proxies.length === 0) return `every peer sees the ${peers.length - 1} others`;
  const realPorts = new Set(peers.map((p) => p.listenPort));
  const proxySide = new Set(proxies.flatMap((p) => [...p.targetSidePorts()]));
  const toReal = (await tcpSockets()).filter((s) => s.state === 'ESTABLISHED' && realPorts.has(s.remotePort));
  const direct = toReal.filter((s) => !proxySide.has(s.localPort)).length;
  const total = proxies.reduce((sum, p) => sum + p.connections.total, 0);
  const identified = proxies.reduce((sum, p) => sum + p.connections.identified, 0);
  return (
    `every peer sees the ${peers.length - 1} others; ${toReal.length} connections reach the peers' own ports, ` +
    `${direct} of them not through a proxy${direct ? ' (BYPASS)' : ''}; the dialer's link shaped ${identified} of ${total} proxied connections`
  );
}

/**
 * Seconds of `member`'s work units (each spans [finishedAt − seconds, finishedAt]) that fall inside [from, to],
 * and the mean gap between two units there (the trainer not training: a checkpoint, a hold).
 */
async function trainingSeconds(member: Member, from: number, to: number): Promise<{ seconds: number; gapMs: number }> {
  const deadline = Date.now() + 40_000; // a unit closes every 30 s of training by default
  let units = (await member.api.call('workHistory', { limit: 1000 })).units;
  while (!units.some((u) => u.finishedAt >= to) && Date.now() < deadline) {
    await sleep(500);
    units = (await member.api.call('workHistory', { limit: 1000 })).units;
  }
  if (!units.some((u) => u.finishedAt >= to)) console.log(`warning: ${member.name} recorded no unit after the window`);
  const spans = units.map((u) => ({ start: u.finishedAt - u.seconds * 1000, end: u.finishedAt })).sort((a, b) => a.start - b.start);
  const inside = spans.filter((u) => u.end > from && u.start < to);
  const gaps = inside.slice(1).map((u, i) => u.start - inside[i]!.end);
  return {
    seconds: inside.reduce((sum, u) => sum + Math.min(to, u.end) - Math.max(from, u.start), 0) / 1000,
    gapMs: mean(gaps),
  };
}

interface Utilization {
  utilization: number;
  perPeer: number[];
  line: string;
}

async function utilization(root: string, wan: boolean): Promise<Utilization> {
  const dir = join(root, wan ? 'wan' : 'loopback');
  const peers: LinkedPeer[] = [];
  const proxies: WanProxy[] = [];
  try {
    await startLinked(dir, wan, peers, proxies);
    const connected = await checkConnected(peers);
    const members = peers.map((p) => p.member);
    const rounds = new Swarm({ dataDir: dir, roundSeconds: UTIL.roundSeconds, innerSteps: UTIL.innerSteps, print: quiet });
    const first = await rounds.nextFullRound(90_000, members);
    await rounds.waitPast(first - 1, 60_000, members);
    const before = await rounds.views(members);
    const wireOf = () => peers.flatMap((p) => (p.link ? [{ out: p.link.up.bytes, in: p.link.down.bytes }] : []));
    const wireBefore = wireOf();
    const from = Date.now();
    await rounds.waitPast(first + UTIL.rounds - 1, UTIL.rounds * UTIL.roundSeconds * 3000 + 30_000, members);
    const to = Date.now();
    const after = await rounds.views(members);
    const wire = wireOf().map((w, i) => ({ in: w.in - wireBefore[i]!.in, out: w.out - wireBefore[i]!.out }));
    const trained = await Promise.all(members.map((m) => trainingSeconds(m, from, to)));
    const perPeer = trained.map((t) => t.seconds / ((to - from) / 1000));
    const described: SwarmRound[] = [];
    for (let r = first; r < first + UTIL.rounds; r++) described.push(await rounds.describe(r, members));

    const roundsDone = after.map((v, i) => (v.network.round?.round ?? 0) - (before[i]!.network.round?.round ?? 0));
    const perRound = (pick: (v: (typeof after)[number]) => number) => mean(after.map((v, i) => (pick(v) - pick(before[i]!)) / Math.max(1, roundsDone[i]!)));
    const agree = described.every((r) => r.agree);
    const synced = peers.slice(1).map((p) => between(p.member, SYNCING, SYNCED));
    const line = [
      `utilization ${(mean(perPeer) * 100).toFixed(1)} % (peers ${perPeer.map((u) => (u * 100).toFixed(1)).join(', ')})`,
      `${UTIL.rounds} rounds in ${seconds(to - from)}`,
      `${perRound((v) => v.status.step).toFixed(0)} steps/round`,
      `${(mean(trained.map((t) => t.gapMs)) / 1000).toFixed(2)} s between work units (a unit closes, with a checkpoint, at each round's new shard)`,
    ].join(' · ');
    const details = [
      `contributions ${described.map((r) => r.participants).join(', ')} of ${UTIL.peers}`,
      agree ? 'hashes agree' : `HASHES DIFFER in round ${described.filter((r) => !r.agree).map((r) => r.round).join(', ')}`,
      `per peer per round: sent ${kB(perRound((v) => v.network.bytesSent))}, received ${kB(perRound((v) => v.network.bytesReceived))} (the node's count)`,
      ...(wire.length ? [`on the wire ${kB(mean(wire.map((w) => w.out)) / UTIL.rounds)} out, ${kB(mean(wire.map((w) => w.in)) / UTIL.rounds)} in`] : []),
      `joining peers synced in ${synced.map((ms) => (ms === null ? '?' : seconds(ms))).join(', ')}` +
        (wire.length ? `, having received ${kB(mean(peers.slice(1).map((p) => p.joinBytes)))} each` : ''),
    ].join(' · ');
    console.log(`  (${connected})`);
    if (!agree) for (const p of peers) console.log(logTail(p.member, 20));
    return { utilization: mean(perPeer), perPeer, line: `${line}\n          ${details}` };
  } finally {
    await Promise.all(peers.map((p) => stopNode(p.member, dir)));
    await Promise.all(proxies.map((p) => p.close()));
  }
}

async function wanUtilization(root: string): Promise<void> {
  const { peers, roundSeconds, innerSteps, batchSize } = UTIL;
  console.log(
    `\n# 7.2 Compute utilization: ${peers} peers, ${roundSeconds} s rounds, H ${innerSteps} (the window ends each round), batch ${batchSize}; ` +
      `WAN = ${WAN.oneWayDelayMs * 2} ms RTT, ${WAN.bitsPerSecond / 1e6} Mbit/s per peer through a proxy per peer`,
  );
  const loopback = await utilization(root, false);
  console.log(`loopback  ${loopback.line}`);
  const wan = await utilization(root, true);
  console.log(`WAN       ${wan.line}`);
  console.log(`ratio WAN / loopback  ${(wan.utilization / loopback.utilization).toFixed(3)}   (target: utilization ≥ 97 % under the WAN)`);
}

// ------------------------------------------------------------------------------------------ 3. scale

const SCALE_RUN = { model: 'tiny-gan', innerSteps: 20, batchSize: 8, rounds: 3 } as const;
/** Two cores train every peer's steps and check every contribution in a round: a second a peer, 20 at least. */
const scaleRoundSeconds = (peers: number) => Math.max(20, peers);

interface ScaleResult {
  ok: boolean;
  ms: number;
  meanRss: number;
}

async function scaleOnce(root: string, peers: number): Promise<ScaleResult> {
  const { model, innerSteps, batchSize, rounds } = SCALE_RUN;
  const roundSeconds = scaleRoundSeconds(peers);
  const started = Date.now();
  const failed = (error: unknown, members: Member[]): ScaleResult => {
    const [reason, ...output] = (error as Error).message.split('\n');
    console.log(`N ${String(peers).padStart(2)}: FAILED after ${seconds(Date.now() - started)}: ${reason}`);
    // A peer that did not start has its output in the message; otherwise show the first peers' last lines.
    if (members.length === 0) console.log(output.slice(-12).map((line) => `  | ${line}`).join('\n'));
    for (const m of members.slice(0, 3)) console.log(logTail(m, 12));
    return { ok: false, ms: Date.now() - started, meanRss: 0 };
  };
  // Every peer is awaited (quorum N): with the run's quorum of 3, a tiny model's rounds close as fast as three
  // peers can train 20 steps, back to back, and a round's fixed costs (a commit, N checkpoints) swamp the
  // machine before the last peers have started. Members start paused and are resumed together once all serve,
  // so the last ones start on a machine no round is saturating yet; each may still take 5 minutes.
  const config = {
    dataDir: join(root, `scale-${peers}`),
    ...{ roundSeconds, innerSteps, batchSize, model, backend: 'wasm', quorum: peers, nodeArgs: SCALE_TRAINER },
    startTimeoutMs: 300_000,
    pollMs: 2000,
    startPaused: true,
    print: quiet,
  };
  const swarm = await Swarm.start(config, peers).catch(
    (error: unknown) => error as Error,
  );
  if (swarm instanceof Error) return failed(swarm, []);
  const rss: number[] = [];
  try {
    swarm.members.forEach((m) => killAtExit(m.child));
    const serving = Date.now() - started;
    // What the swarm costs before any training: every peer connected to every other (pings, gossip, the DHT).
    const idleCores = await coresUsed(swarm.members, 20_000);
    await swarm.resume();
    const first = await swarm.nextFullRound(120_000 + 10 * roundSeconds * 1000);
    const joined = Date.now() - started;
    const described: SwarmRound[] = [];
    const roundMs: number[] = [];
    for (let r = first, since = Date.now(); r < first + rounds; r++, since = Date.now()) {
      // A saturated machine stretches a round far past its window: every peer checks every contribution.
      await swarm.waitPast(r, roundSeconds * 10_000 + 60_000);
      roundMs.push(Date.now() - since);
      described.push(await swarm.describe(r));
    }
    for (const m of swarm.members) rss.push((await nodeResidentBytes(m.child.pid!)) ?? 0);
    const ok = described.every((r) => r.agree);
    console.log(
      `N ${String(peers).padStart(2)} (${roundSeconds} s rounds): ${ok ? 'hashes agree' : 'HASHES DIFFER'} in rounds ${first}–${first + rounds - 1} · ` +
        `contributions ${described.map((r) => r.participants).join(', ')} · rounds took ${roundMs.map(seconds).join(', ')} · RSS ${(mean(rss) / 2 ** 20).toFixed(0)} MiB per peer (max ${(Math.max(...rss) / 2 ** 20).toFixed(0)}) · ` +
        `paused, before training: ${idleCores.toFixed(2)} cores (${((idleCores / peers) * 100).toFixed(1)} % of a core per peer) · ` +
        `startup: all serving ${seconds(serving)}, all in a round ${seconds(joined)} · ${seconds(Date.now() - started)} in all`,
    );
    if (!ok) {
      for (const r of described.filter((d) => !d.agree)) console.log(`  round ${r.round}: ${new Set(Object.values(r.hashes)).size} different hashes among ${peers} peers`);
      for (const m of swarm.members.slice(0, 2)) console.log(logTail(m, 8));
    }
    return { ok, ms: Date.now() - started, meanRss: mean(rss) };
  } catch (error) {
    return failed(error, swarm.members);
  } finally {
    await swarm.stop();
  }
}

/** The cores `members` keep busy over `ms`, their trainer processes included. */
async function coresUsed(members: readonly Member[], ms: number): Promise<number> {
  const pids = (await Promise.all(members.map(async (m) => [m.child.pid!, ...(await childPids('trainer-process', m.child.pid!))]))).flat();
  const used = async () => (await Promise.all(pids.map(cpuSeconds))).reduce<number>((sum, s) => sum + (s ?? 0), 0);
  const before = await used();
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ((await used()) - before) / (ms / 1000);
}

async function scale(root: string, startedAt: number): Promise<void> {
  const { model, innerSteps, batchSize, rounds } = SCALE_RUN;
  console.log(`\n# 7.3 Scale: N peers of ${model} (batch ${batchSize}), rounds of N s (20 s at least), H ${innerSteps}, ${rounds} rounds each; memory ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
  let last: { peers: number; result: ScaleResult } | null = null;
  for (const peers of SCALE) {
    if (last) {
      const memory = last.result.meanRss * peers;
      if (memory > 0.7 * totalmem()) return console.log(`N ${peers}: not tried, ~${(memory / 2 ** 30).toFixed(1)} GiB would pass 70 % of memory`);
      const estimate = (last.result.ms * peers) / last.peers;
      const left = BUDGET_MS - (Date.now() - startedAt);
      if (estimate > left) return console.log(`N ${peers}: not tried, ~${seconds(estimate)} would pass the time budget (AIRTIST_BENCH_NETWORK=scale AIRTIST_BENCH_SCALE=${peers} runs it)`);
    }
    const result = await scaleOnce(root, peers);
    if (!result.ok) return;
    last = { peers, result };
  }
}

export async function run(): Promise<void> {
  const startedAt = Date.now();
  const root = mkdtempSync(join(tmpdir(), 'airtist-bench-network-'));
  try {
    if (PARTS.has('join')) await joinTime(root);
    if (PARTS.has('wan')) await wanUtilization(root);
    if (PARTS.has('scale')) await scale(root, startedAt);
  } finally {
    if (process.env.AIRTIST_BENCH_KEEP) console.log(`peers' logs kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

await runIfMain(import.meta.url, run);
