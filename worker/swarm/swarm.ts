/**
 * A swarm on one machine: headless nodes as separate processes on loopback, each joined through the first
 * peer still alive, all on the same test run (round length and inner steps). `Swarm` starts, adds, kills and
 * restarts members and reads each one's rounds through its control API; `runSwarm` (`npm run swarm`) starts
 * N, prints a line per round (participants, leader, loss, whether every peer holds the same model hash,
 * bytes) and writes `summary.json` with each peer's committed hash, loss and bytes per round. `ok` is true
 * only if every round's hashes agree on every peer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ApiClient, NetworkStatus, RoundRecord, ServerMessage, Status } from '../api/contract.js';
import type { AdversaryKind } from '../rounds/adversary.js';
import { connectWebSocket } from '../api/ws-connect.js';
import { startSwarmChain, type SwarmChainHost } from './chain.js';

/** What every member of a swarm runs with. */
export interface SwarmConfig {
  dataDir: string;
  roundSeconds: number;
  innerSteps: number;
  batchSize?: number;
  model?: string;
  backend?: string;
  /** Rounds per reward epoch of the swarm's run (default: the app's). */
  epochRounds?: number;
  /** Contributions that close a round early (default: the app's run; a swarm of cheats waits for all). */
  quorum?: number;
  /** More `airtist node` flags for every member. */
  nodeArgs?: string[];
  /** How long a member may take to serve its API after its start (default 90 s; a saturated machine needs more). */
  startTimeoutMs?: number;
  /** How often waits ask every member where it is (default 250 ms; each ask is two API calls per member). */
  pollMs?: number;
  /**
   * Start every member paused (`--paused`) and let `resume` start them together: a large swarm on a small
   * machine then starts its last members on an idle machine, not one saturated by the first members' rounds.
   */
  startPaused?: boolean;
  /**
   * One devnet chain for the whole swarm, in this process (default none): the first members (up to three)
   * are its validators, a majority of them must sign each epoch's root, and every member claims on it.
   */
  chain?: boolean;
  print?: (line: string) => void;
}

export interface SwarmOptions extends SwarmConfig {
  /** Honest peers; the adversaries come on top, started after them. */
  peers: number;
  adversaries?: AdversaryKind[];
  rounds: number;
  /** Give up after this long (default: generous for the rounds asked). */
  timeoutMs?: number;
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

/** What became of one member's contributions, by its own ledger, at the end of the run. */
export interface SwarmPeer {
  name: string;
  peerId: string;
  kind: 'honest' | AdversaryKind;
  accepted: number;
  rejected: number;
  /** Rejected contributions by reason code. */
  rejectedBy: Record<string, number>;
  creditedWei: string;
}

/** The swarm's shared chain at the end of the run: its validators and the roots they posted. */
export interface SwarmChain {
  chainId: number;
  validators: string[];
  threshold: number;
  /** Every epoch whose root is on chain, in order. */
  roots: Array<{ epoch: number; root: string }>;
}

export interface SwarmSummary {
  peers: string[];
  chain: SwarmChain | null;
  members: SwarmPeer[];
  runId: string | null;
  rounds: SwarmRound[];
  ok: boolean;
  seconds: number;
}

const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const START_TIMEOUT_MS = 90_000;

export interface Member {
  name: string;
  kind: 'honest' | AdversaryKind;
  dataDir: string;
  child: ChildProcess;
  output: string[];
  api: ApiClient;
  /** The dashboard URL, with its token. */
  url: string;
  peerId: string;
  address: string;
  /** Losses seen when each round was committed. */
  losses: Map<number, Record<string, number>>;
}

export interface MemberView {
  member: Member;
  network: NetworkStatus;
  status: Status;
}

async function launch(name: string, dataDir: string, args: string[], timeoutMs: number, spawned?: (child: ChildProcess) => void): Promise<{ child: ChildProcess; url: string; output: string[] }> {
  const child = spawn(process.execPath, [CLI, 'node', '--data-dir', dataDir, '--port', '0', '--progress-every', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  spawned?.(child);
  const output: string[] = [];
  // Each line stamped with the time it came: the logs of peers are read side by side.
  const keep = (chunk: Buffer) => {
    const time = new Date().toISOString().slice(11, 23);
    output.push(chunk.toString().replace(/^(?=.)/gm, `${time} `));
    if (output.length > 2000) output.splice(0, 1000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output.join('')}`)), timeoutMs);
    const check = () => {
      const match = /^\S+ Dashboard: (http:\/\/\S+)$/m.exec(output.join(''));
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

/**
 * Starts `airtist node --data-dir <dataDir> <args>` (timestamped output kept) and resolves once it serves,
 * connected to its control API. `spawned` is told the process at once, before it dials anyone; a node that
 * fails to come up is killed.
 */
export async function startMember(
  name: string,
  dataDir: string,
  args: string[],
  spawned?: (child: ChildProcess) => void,
  kind: Member['kind'] = 'honest',
  timeoutMs = START_TIMEOUT_MS,
): Promise<Member> {
  let started: ChildProcess | null = null;
  try {
    const { child, url, output } = await launch(name, dataDir, args, timeoutMs, (child) => {
      started = child;
      spawned?.(child);
    });
    const api = await connectWebSocket(url);
    const network = await api.call('network');
    const address = network.addresses.find((a) => a.includes('/tcp/') && !a.includes('/ws')) ?? network.addresses[0] ?? '';
    return { name, kind, dataDir, child, output, api, url, peerId: network.peerId ?? '', address, losses: new Map() };
  } catch (error) {
    (started as ChildProcess | null)?.kill('SIGKILL');
    throw error;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alive = (member: Member) => member.child.exitCode === null && member.child.signalCode === null;

export class Swarm {
  readonly members: Member[] = [];
  private readonly print: (line: string) => void;
  /** The shared devnet, when the swarm has one. */
  chain: SwarmChainHost | null = null;

  constructor(private readonly config: SwarmConfig) {
    this.print = config.print ?? ((line: string) => console.log(line));
    mkdirSync(config.dataDir, { recursive: true });
  }

  /** Starts `count` members one after another, each joined through the first (after the chain, if one). */
  static async start(config: SwarmConfig, count: number): Promise<Swarm> {
    const swarm = new Swarm(config);
    try {
      if (config.chain) {
        swarm.chain = await startSwarmChain(config.dataDir, Array.from({ length: Math.min(3, count) }, (_, i) => memberDir(config.dataDir, `peer-${i}`)));
        swarm.print(`chain: devnet ${swarm.chain.endpoint.chainId} on ${swarm.chain.endpoint.rpcUrl}; validators ${swarm.chain.validators.join(', ')} (${swarm.chain.threshold} must sign)`);
      }
      for (let i = 0; i < count; i++) await swarm.add();
    } catch (error) {
      await swarm.stop();
      throw error;
    }
    return swarm;
  }

  alive(): Member[] {
    return this.members.filter(alive);
  }

  /** A new member, joined through the first member still alive; an adversary cheats in every round. */
  async add(kind: Member['kind'] = 'honest'): Promise<Member> {
    const name = `peer-${this.members.length}`;
    const member = await this.spawn(name, memberDir(this.config.dataDir, name), kind);
    this.members.push(member);
    this.print(`${name}: ${member.peerId} on ${member.address}${kind === 'honest' ? '' : ` (adversary: ${kind})`}`);
    return member;
  }

  /** Resumes every live member's training (members started paused wait for this). */
  async resume(members = this.alive()): Promise<void> {
    await Promise.all(members.map((member) => member.api.call('resume')));
  }

  /** Kills a member at once (SIGKILL: no shutdown, as a crash or a pulled plug). */
  async kill(member: Member): Promise<void> {
    member.api.close();
    if (!alive(member)) return;
    const exited = new Promise((resolve) => member.child.once('exit', resolve));
    member.child.kill('SIGKILL');
    await exited;
    this.keepLog(member);
  }

  /** Starts a stopped member again on its data dir: the same peer, new ports. */
  async restart(member: Member): Promise<void> {
    if (alive(member)) throw new Error(`${member.name} is running`);
    Object.assign(member, await this.spawn(member.name, member.dataDir, member.kind));
    this.print(`${member.name}: restarted on ${member.address}`);
  }

  /** Every live member's network and status, as its control API reports them now. */
  async views(members = this.alive()): Promise<MemberView[]> {
    return Promise.all(
      members.map(async (member) => {
        const [network, status] = await Promise.all([member.api.call('network'), member.api.call('status')]).catch((error: Error) => {
          throw new Error(`${member.name}: ${error.message}\n${member.output.join('').slice(-3000)}`);
        });
        const last = network.lastCommit?.round;
        if (last !== undefined && !member.losses.has(last) && status.losses) member.losses.set(last, status.losses);
        return { member, network, status };
      }),
    );
  }

  /** Resolves once every one of `members` has moved past round `round`; throws if one dies or time runs out. */
  async waitPast(round: number, timeoutMs: number, members = this.alive()): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dead = members.find((member) => !alive(member));
      if (dead) throw new Error(`${dead.name} exited (${dead.child.exitCode ?? dead.child.signalCode}):\n${dead.output.join('').slice(-4000)}`);
      const views = await this.views(members);
      if (views.every(({ network }) => (network.round?.round ?? 0) > round)) return;
      if (Date.now() > deadline) {
        const at = views.map(({ member, network }) => `${member.name} at ${network.round?.round ?? '?'}`).join(', ');
        throw new Error(`round ${round} was not behind every peer within ${Math.round(timeoutMs / 1000)} s (${at})`);
      }
      await sleep(this.config.pollMs ?? 250);
    }
  }

  /**
   * What every one of `members` recorded of `round` once they agree on it, or as they stand after `timeoutMs`.
   * Agreement can take a moment past the round: a peer that took a fallback's commit before the better-ranked
   * one reached it switches when that one does (rounds/leader.ts), seconds later on a busy machine. A peer
   * still apart after the timeout is a split that did not heal.
   */
  async settled(round: number, timeoutMs: number, members = this.alive()): Promise<SwarmRound> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const described = await this.describe(round, members);
      if (described.agree || Date.now() > deadline) return described;
      await sleep(this.config.pollMs ?? 250);
    }
  }

  /** The round every one of `members` is in now, at least. */
  async currentRound(members = this.alive()): Promise<number> {
    const views = await this.views(members);
    return Math.min(...views.map(({ network }) => network.round?.round ?? 0));
  }

  /**
   * Waits until every one of `members` trains in the same round from the same base (none is still starting,
   * syncing, or on the losing side of a fork) and returns the first round all of them will have trained in
   * from its start: the next one.
   */
  async nextFullRound(timeoutMs: number, members = this.alive()): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const views = await this.views(members);
      const joined = views.every(({ network }) => network.round && network.round.phase !== 'starting' && network.round.phase !== 'syncing');
      // One network: every peer in the same round on the same base (a peer that took the losing side of an
      // early fork is still healing).
      const bases = new Set(views.map(({ network }) => `${network.round?.round}/${network.round?.baseHash}`));
      if (joined && bases.size === 1) return Math.max(...views.map(({ network }) => network.round!.round)) + 1;
      if (Date.now() > deadline) throw new Error(`not every peer joined the rounds within ${Math.round(timeoutMs / 1000)} s`);
      await sleep(this.config.pollMs ?? 250);
    }
  }

  /** What each of `members` recorded of a committed round. */
  async describe(round: number, members = this.alive()): Promise<SwarmRound> {
    const histories = await Promise.all(members.map((member) => member.api.call('roundHistory', { limit: 1000 })));
    const rows = histories.map(({ rounds }) => rounds.find((row: RoundRecord) => row.round === round) ?? null);
    const hashes = Object.fromEntries(members.map((member, i) => [member.peerId, rows[i]?.modelHash ?? null]));
    const values = Object.values(hashes);
    const losses = members.map((member) => member.losses.get(round)).filter((l): l is Record<string, number> => !!l);
    const names = [...new Set(losses.flatMap((l) => Object.keys(l)))];
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

  /** Stops every member (SIGINT, then SIGKILL after 30 s) and writes each one's output to `<name>.log`; then the chain. */
  async stop(): Promise<void> {
    await this.stopMembers();
    await this.chain?.stop();
  }

  private async stopMembers(): Promise<void> {
    await Promise.all(
      this.members.map(
        (member) =>
          new Promise<void>((resolve) => {
            member.api.close();
            if (!alive(member)) return resolve(this.keepLog(member));
            const kill = setTimeout(() => member.child.kill('SIGKILL'), 30_000);
            member.child.once('exit', () => {
              clearTimeout(kill);
              resolve(this.keepLog(member));
            });
            member.child.kill('SIGINT');
          }),
      ),
    );
  }

  /** Appends the process's output to `<name>.log`: a restarted member's log keeps every life. */
  private keepLog(member: Member): void {
    appendFileSync(join(this.config.dataDir, `${member.name}.log`), `${member.output.join('')}--- ${member.name} ended ---\n`);
  }

  /** Each member's contributions as its own ledger has them now. */
  async outcomes(members = this.alive()): Promise<SwarmPeer[]> {
    return Promise.all(
      members.map(async (member) => {
        const { totals } = await member.api.call('earnings', { limit: 1 });
        return { name: member.name, peerId: member.peerId, kind: member.kind, accepted: totals.accepted, rejected: totals.rejected, rejectedBy: totals.rejectedBy, creditedWei: totals.creditedWei };
      }),
    );
  }

  private async spawn(name: string, dataDir: string, kind: Member['kind']): Promise<Member> {
    const { config } = this;
    const through = this.alive()[0];
    const args = [
      '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns',
      '--round-seconds', String(config.roundSeconds), '--inner-steps', String(config.innerSteps),
      ...(config.batchSize ? ['--batch-size', String(config.batchSize)] : []),
      ...(config.model ? ['--model', config.model] : []),
      ...(config.backend ? ['--backend', config.backend] : []),
      ...(config.epochRounds ? ['--epoch-rounds', String(config.epochRounds)] : []),
      ...(config.quorum ? ['--quorum', String(config.quorum)] : []),
      ...(kind === 'honest' ? [] : ['--adversary', kind]),
      ...(config.startPaused ? ['--paused'] : []),
      // Each member is credited to an address of its own, so a swarm's reward table has one row per member.
      '--reward-address', rewardAddressOf(name),
      // One chain for all, the swarm's, or none (one devnet per member would be N chains).
      '--chain', this.chain?.configPath ?? 'none',
      ...(through ? ['--bootstrap', through.address] : []),
      ...(config.nodeArgs ?? []),
    ];
    return startMember(name, dataDir, args, undefined, kind, config.startTimeoutMs);
  }
}

export async function runSwarm(options: SwarmOptions): Promise<SwarmSummary> {
  const print = options.print ?? ((line: string) => console.log(line));
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 120_000 + options.rounds * (options.roundSeconds * 1000 * 3 + 30_000);
  const swarm = await Swarm.start({ chain: true, ...options, print }, options.peers);
  try {
    for (const kind of options.adversaries ?? []) await swarm.add(kind);
    const runId = (await swarm.members[0]!.api.call('status')).runId;
    // The first peers ran rounds while the others started: count from the round in which all are in.
    const first = await swarm.nextFullRound(timeoutMs);
    print(`all ${swarm.members.length} peers are up; watching rounds ${first}–${first + options.rounds - 1}`);
    const rounds: SwarmRound[] = [];
    const deadline = Date.now() + timeoutMs;
    for (let round = first; round < first + options.rounds; round++) {
      await swarm.waitPast(round, deadline - Date.now());
      rounds.push(await swarm.settled(round, Math.min(options.roundSeconds * 1000 * 2, Math.max(0, deadline - Date.now()))));
      print(roundLine(rounds.at(-1)!));
    }
    const ok = rounds.every((round) => round.agree);
    const members = await swarm.outcomes();
    for (const m of members) print(`${m.name} (${m.kind}): ${m.accepted} accepted, ${m.rejected} rejected${m.rejected ? ` (${Object.entries(m.rejectedBy).map(([why, n]) => `${why} ×${n}`).join(', ')})` : ''}, credited ${m.creditedWei} wei`);
    const chain = (await swarm.chain?.summary()) ?? null;
    if (chain) print(`chain: roots on chain for epochs ${chain.roots.map((r) => r.epoch).join(', ') || 'none yet'}`);
    const summary: SwarmSummary = { peers: swarm.members.map((m) => m.peerId), chain, members, runId, rounds, ok, seconds: (Date.now() - started) / 1000 };
    writeFileSync(join(options.dataDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    await swarm.stop();
  }
}

export function roundLine(round: SwarmRound): string {
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

const memberDir = (dataDir: string, name: string) => join(dataDir, name);

/** The reward address a swarm member is credited to: derived from its name, the same across its restarts. */
export function rewardAddressOf(name: string): string {
  return `0x${createHash('sha256').update(`airtist-swarm/${name}`).digest('hex').slice(0, 40)}`;
}
