/**
 * A swarm on one machine: N headless nodes as separate processes on loopback, joined through the first, all
 * on the same test run (round length and inner steps). It watches every node through its control API, prints
 * a line per round (participants, leader, loss, whether every peer holds the same model hash, bytes) and
 * writes `summary.json` with each peer's committed hash, loss and bytes per round. `ok` is true only if every
 * round's hashes agree on every peer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import type { ApiClient, NetworkStatus, RoundRecord, ServerMessage, Status } from '../api/contract.js';
import { createRpcClient } from '../api/rpc-client.js';

export interface SwarmOptions {
  peers: number;
  rounds: number;
  dataDir: string;
  roundSeconds: number;
  innerSteps: number;
  batchSize?: number;
  model?: string;
  backend?: string;
  /** Give up after this long (default: generous for the rounds asked). */
  timeoutMs?: number;
  print?: (line: string) => void;
}

export interface SwarmRound {
  round: number;
  /** Each peer's committed model hash for the round (null: it has none). */
  hashes: Record<string, string | null>;
  agree: boolean;
  participants: number;
  committedBy: string | null;
  /** Mean of the peers' recent training losses when the round was seen committed. */
  loss: Record<string, number> | null;
  bytesSent: Record<string, number>;
}

export interface SwarmSummary {
  peers: string[];
  runId: string | null;
  rounds: SwarmRound[];
  ok: boolean;
  seconds: number;
}

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

interface Member {
  name: string;
  child: ChildProcess;
  output: string[];
  api: ApiClient;
  peerId: string;
  address: string;
  /** Losses seen when each round was committed. */
  losses: Map<number, Record<string, number>>;
}

async function launch(name: string, dataDir: string, args: string[], timeoutMs: number): Promise<{ child: ChildProcess; url: string; output: string[] }> {
  const child = spawn(process.execPath, [CLI, 'node', '--data-dir', dataDir, '--port', '0', '--progress-every', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 2000) output.splice(0, 1000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output.join('')}`)), timeoutMs);
    const check = () => {
      const match = /^Dashboard: (http:\/\/\S+)$/m.exec(output.join(''));
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before serving:\n${output.join('')}`));
    });
  });
  return { child, url, output };
}

export async function connect(url: string): Promise<ApiClient> {
  const parsed = new URL(url);
  const ws = new WebSocket(`ws://${parsed.host}/api/ws?token=${parsed.searchParams.get('token')}`, { headers: { origin: parsed.origin } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return createRpcClient({
    send: (message) => ws.send(JSON.stringify(message)),
    onMessage: (listener) => ws.on('message', (data) => listener(JSON.parse(data.toString()) as ServerMessage)),
    onClose: (listener) => ws.on('close', () => listener('socket closed')),
    close: () => ws.close(),
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSwarm(options: SwarmOptions): Promise<SwarmSummary> {
  const print = options.print ?? ((line: string) => console.log(line));
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 120_000 + options.rounds * (options.roundSeconds * 1000 * 3 + 30_000);
  mkdirSync(options.dataDir, { recursive: true });
  const shared = [
    '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns',
    '--round-seconds', String(options.roundSeconds), '--inner-steps', String(options.innerSteps),
    ...(options.batchSize ? ['--batch-size', String(options.batchSize)] : []),
    ...(options.model ? ['--model', options.model] : []),
    ...(options.backend ? ['--backend', options.backend] : []),
  ];
  const members: Member[] = [];
  const stopAll = async () => {
    await Promise.all(
      members.map(
        (member) =>
          new Promise<void>((resolve) => {
            member.api.close();
            const done = () => {
              writeFileSync(join(options.dataDir, `${member.name}.log`), member.output.join(''));
              resolve();
            };
            if (member.child.exitCode !== null) return done();
            const kill = setTimeout(() => member.child.kill('SIGKILL'), 30_000);
            member.child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            member.child.kill('SIGINT');
          }),
      ),
    );
  };

  try {
    for (let i = 0; i < options.peers; i++) {
      const name = `peer-${i}`;
      const bootstrap = members[0] ? ['--bootstrap', members[0].address] : [];
      const { child, url, output } = await launch(name, join(options.dataDir, name), [...shared, ...bootstrap], 90_000);
      const api = await connect(url);
      const network = await api.call('network');
      const address = network.addresses.find((a) => a.includes('/tcp/') && !a.includes('/ws')) ?? network.addresses[0]!;
      members.push({ name, child, output, api, peerId: network.peerId!, address, losses: new Map() });
      print(`${name}: ${network.peerId} on ${address}`);
    }
    const runId = (await members[0]!.api.call('status')).runId;

    // The first peers ran rounds while the others started: count from the round in which all are in.
    const current = await Promise.all(members.map(async (member) => (await member.api.call('network')).round?.round ?? 0));
    const first = Math.max(...current) + 1;
    print(`all ${members.length} peers are up; watching rounds ${first}–${first + options.rounds - 1}`);
    const rounds: SwarmRound[] = [];
    const deadline = Date.now() + timeoutMs;
    let reported = first;
    while (reported < first + options.rounds) {
      if (Date.now() > deadline) throw new Error(`the swarm committed ${reported - first} of ${options.rounds} rounds within ${Math.round(timeoutMs / 1000)} s`);
      const dead = members.find((member) => member.child.exitCode !== null);
      if (dead) throw new Error(`${dead.name} exited (${dead.child.exitCode}):\n${dead.output.join('').slice(-4000)}`);
      const views = await Promise.all(
        members.map(async (member) => {
          const [network, status] = await Promise.all([member.api.call('network'), member.api.call('status')]);
          const last = network.lastCommit?.round;
          if (last !== undefined && !member.losses.has(last) && status.losses) member.losses.set(last, status.losses);
          return { member, network, status };
        }),
      );
      // A round is reported once every peer has moved past it.
      const committed = Math.min(...views.map(({ network }: { network: NetworkStatus; status: Status }) => (network.round?.round ?? 0) - 1));
      while (reported <= committed && reported < first + options.rounds) {
        rounds.push(await describeRound(reported, members, views.map((v) => v.network)));
        print(roundLine(rounds.at(-1)!));
        reported++;
      }
      await sleep(500);
    }
    const ok = rounds.every((round) => round.agree);
    const summary: SwarmSummary = { peers: members.map((m) => m.peerId), runId, rounds, ok, seconds: (Date.now() - started) / 1000 };
    writeFileSync(join(options.dataDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    await stopAll();
  }
}

async function describeRound(round: number, members: Member[], networks: NetworkStatus[]): Promise<SwarmRound> {
  const histories = await Promise.all(members.map((member) => member.api.call('roundHistory', { limit: 1000 })));
  const rows = histories.map(({ rounds }) => rounds.find((row: RoundRecord) => row.round === round) ?? null);
  const hashes = Object.fromEntries(members.map((member, i) => [member.peerId, rows[i]?.modelHash ?? null]));
  const values = Object.values(hashes);
  const losses = members.map((member) => member.losses.get(round)).filter((l): l is Record<string, number> => !!l);
  const names = [...new Set(losses.flatMap((l) => Object.keys(l)))];
  void networks;
  return {
    round,
    hashes,
    agree: values.every((hash) => hash !== null && hash === values[0]),
    participants: Math.max(...rows.map((row) => row?.accepted ?? 0)),
    committedBy: rows.find((row) => row?.committedBy)?.committedBy ?? null,
    loss: losses.length ? Object.fromEntries(names.map((name) => [name, losses.reduce((sum, l) => sum + (l[name] ?? 0), 0) / losses.length])) : null,
    bytesSent: Object.fromEntries(members.map((member, i) => [member.peerId, rows[i]?.bytesOut ?? 0])),
  };
}

function roundLine(round: SwarmRound): string {
  const hash = Object.values(round.hashes)[0];
  const loss = round.loss ? Object.entries(round.loss).map(([name, value]) => `${name} ${value.toFixed(3)}`).join(' ') : '–';
  const bytes = Object.values(round.bytesSent).reduce((sum, b) => sum + b, 0);
  return [
    `round ${round.round}`,
    `${round.participants} contributions`,
    `leader ${round.committedBy?.slice(-8) ?? '–'}`,
    `loss ${loss}`,
    round.agree ? `all hashes agree (${hash?.slice(0, 12)})` : `HASHES DIFFER: ${JSON.stringify(round.hashes)}`,
    `${(bytes / 1000).toFixed(1)} kB sent`,
  ].join(' · ');
}
