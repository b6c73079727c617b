/**
 * The round driver: one peer's side of the DiLoCo rounds (DESIGN.md, "Training: DiLoCo-style rounds").
 *
 * Round r opens when θ_r is known (the seed's weights for round 0, then each applied commit). The trainer
 * trains from θ_r for at most H steps or the round's window, on the data `hash(run, round, peer)` assigns;
 * then the driver snapshots the local weights, compresses Δ = θ_r − θ_local (SparseLoCo, with this peer's
 * error feedback), gossips the signed header and serves the payload. Training goes on meanwhile (the steps
 * count toward the next round), so the trainer does not sit idle while the network talks.
 *
 * Once a quorum of contributions is in (or the window has passed), the best-ranked contributor commits: the
 * accepted set and the hash of the model they make; the next in rank step in, one `fallbackMs` apart, if it
 * stays silent. Every peer applies the commit in plain float32 arithmetic in a canonical order, checks the
 * hash, moves the trainer's weights by θ_{r+1} − snapshot, saves the round state, and opens round r+1. A peer
 * that finds itself behind (a commit for a later round, or a base it does not have) downloads the state
 * from peers. A round no one commits leaves the weights unchanged.
 *
 * Every state change runs through one queue, so gossip, timers and the trainer never interleave halfway.
 */
import type { PrivateKey } from '@libp2p/interface';
import type { NetworkStatus, RoundStatus } from '../api/contract.js';
import type { EpochRecord, RewardRecords } from '../ledger/rewards.js';
import type { RoundRecords } from '../ledger/rounds.js';
import { EMPTY_ROOT, rewardRoot, type RewardTotals } from '../rewards/merkle.js';
import { EpochCloser } from '../rewards/round-rewards.js';
import { encodeTotals } from '../rewards/totals-codec.js';
import { adoptionRecord, contributionRecord } from './adoption.js';
import { eligibleAfter } from './verify.js';
import { PPM, reputationOf, type Reputation } from '../verify/reputation.js';
import { CodecError } from '../p2p/codec.js';
import type { Check } from '../p2p/gossip.js';
import type { Peer } from '../p2p/peer.js';
import { serve, type RequestStats } from '../p2p/request.js';
import { assignShard } from '../training/data/shards.js';
import type { Rebase, WeightsAtStep } from '../training/protocol.js';
import { openCommit, signCommit, type Commit } from './commit.js';
import { makeCheat, makeHonest, readyToCheat, type AdversaryKind } from './adversary.js';
import { addSparse, type SparseUpdate } from './compress.js';
import { signContribution, type ContributionHeader } from './contribution.js';
import { ContributionStore, type Held } from './contributions.js';
import { lead } from './lead.js';
import { commitSlot, roundRanking } from './leader.js';
import { CONTRIBUTION_PROTOCOL, MAX_COMMIT_BYTES, MAX_HEADER_BYTES, commitsTopic, contributionsTopic, sha256Hex } from './messages.js';
import { modelHash } from './outer.js';
import { quorumOf, quorumVerdict } from './quorum.js';
import { loadRoundState, saveRoundState, type RoundState } from './round-state.js';
import type { RunSpec } from './run-spec.js';
import { SerialTasks } from './serial.js';
import { STATE_PROTOCOL, fetchState, serveState, type SyncState } from './sync.js';
import { COMMIT_PROTOCOL, fetchCommit, mendHistory, serveCommits, type SignedCommit } from './history.js';
import { verifyCommit, verifyState, type VerifiedCommit } from './verify.js';
import type { Improvement, ScoreRequest } from '../training/scoring.js';
import type { Assignment } from '../training/task.js';
import { REJECTION_WORDS, type RejectionReason } from '../verify/reasons.js';
import { RoundVerifier } from '../verify/round-verifier.js';

/** What the driver needs of the trainer thread (see TrainerHost). */
export interface RoundTrainer {
  /** The local weights at a whole step, and a hold once `hold` more steps are trained. */
  snapshot(hold: number): Promise<WeightsAtStep>;
  /** Moves the weights by `shift`, then switches the data assignment. */
  rebase(change: Rebase): Promise<void>;
  writeWeights(values: Float32Array): Promise<void>;
  /** Paints θ_r for people: every peer shows the same picture of the committed model. */
  paint(values: Float32Array, round: number): Promise<void>;
  /** Scores contributions against θ_r on the trainer's own copies of the networks (a leader's check). */
  score(request: ScoreRequest): Promise<Improvement[]>;
}

/** What the dashboard and the CLI show of the rounds: the network status's round fields, for this peer. */
export type RoundInfo = Pick<NetworkStatus, 'lastCommit' | 'bytesSent' | 'bytesReceived' | 'resyncs'> & { round: RoundStatus };

export interface RoundTiming {
  /** How long after the close a fallback waits for a peer ranked before it that cannot be committing (leader.ts). */
  fallbackMs: number;
  /**
   * How long it waits for one that is connected and contributed: that one is most likely scoring the round. The
   * same on every peer of the run (a peer's own measure would reorder the slots: a fast fallback would step in
   * before a slow one ranked above it).
   */
  patienceMs: number;
  /** How long after the window a round waits for late contributions before it closes anyway. */
  graceMs: number;
  /** How long a starting peer waits for someone to sync from before it starts on its own state. */
  joinWaitMs: number;
  /** Deadline of one contribution or state download. */
  requestTimeoutMs: number;
}

export function defaultTiming(spec: RunSpec): RoundTiming {
  const window = spec.round.seconds * 1000;
  // The grace covers a contribution made at the window's end: the snapshot waits for the step in flight (long
  // on a busy machine), then compression, gossip and the payload's download.
  const fallbackMs = Math.max(1500, window / 4);
  return { fallbackMs, patienceMs: Math.max(window, 4 * fallbackMs), graceMs: Math.max(2000, window * 0.4), joinWaitMs: 3000, requestTimeoutMs: 15_000 };
}

export interface RoundDriverOptions {
  spec: RunSpec;
  runId: string;
  peer: Peer;
  privateKey: PrivateKey;
  trainer: RoundTrainer;
  records: RoundRecords;
  /** The reward table: each commit's credits go in with the commit; an epoch's root is computed from it. */
  rewards: RewardRecords;
  statePath: string;
  /** θ_0 for a run this peer has no saved state of: the seed's weights, as a fresh trainer holds them. */
  genesis: () => Promise<Float32Array>;
  rewardAddress: () => string | null;
  /** Told of every epoch this peer closes (the chain service posts its root). */
  epochClosed?: (record: EpochRecord) => void;
  /** Cheat this way instead of contributing honestly (adversary.ts): for testing the network's defences. */
  adversary?: AdversaryKind;
  timing?: Partial<RoundTiming>;
  log?: (line: string) => void;
  /** Called after every change worth showing. */
  changed?: (info: RoundInfo) => void;
}

interface Own {
  hash: string;
  /** What was sent: put back into the error buffer if the round's commit leaves it out. */
  update: SparseUpdate;
  /** The trainer's step when the round's training began (the contribution covers the steps since). */
  startStep: number;
}

/** What a commit makes of a peer: the round it opens and everything that round starts from. */
interface Committed {
  round: number;
  theta: Float32Array;
  momentum: Float32Array;
  error: Float32Array;
  base: string;
  commitBytes: Uint8Array | null;
  /** Who ranks first for the round's leadership (verify/reputation.ts leadersOf). */
  eligible: string[];
  /** The reputation table the commit left: the round's caps, and what its commit moves on from. */
  reputation: Reputation;
  /** Every address's cumulative reward after the commit (null: unknown here, see RoundDriver.totals). */
  totals: RewardTotals | null;
  /** When the commit was made (the signer's clock): the round's window is counted from it. */
  anchorTime: number | null;
  lastCommit: RoundInfo['lastCommit'];
}

/** How often a fallback waiting for its commit slot looks again at who is still connected. */
const SLOT_RECHECK_MS = 500;

/** A round's window is never shorter than this share of its length, however late a peer opens it. */
const MIN_WINDOW_SHARE = 0.25;

const bytesOf = (v: Float32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

export class RoundDriver {
  private readonly spec: RunSpec;
  private readonly runId: string;
  private readonly self: string;
  private size = 0;
  private readonly timing: RoundTiming;
  private readonly log: (line: string) => void;
  /** The hash of θ_0, known when this peer starts the run afresh; a round-0 state is then checked against it. */
  private genesisHash: string | null = null;

  private round = 0;
  private theta: Float32Array = new Float32Array(0);
  private momentum: Float32Array = new Float32Array(0);
  private error: Float32Array = new Float32Array(0);
  private base = '';
  private eligible: string[] = [];
  private reputation: Reputation = [];
  /**
   * Every address's cumulative reward before this round: what the next commit's credits are added to and its
   * rewardRoot is checked against. Null only when this ledger lacks the history and no sync has brought it yet
   * (a process killed between a sync's ledger write and its state save): then this peer syncs, and leads no
   * round until it has.
   */
  private totals: RewardTotals | null = new Map();
  private readonly epochs: EpochCloser;
  private anchorTime: number | null = null;
  /** Counts opened rounds: a timer of a round opened before (even under the same number) does nothing. */
  private opened = 0;
  private commitBytes: Uint8Array | null = null;
  private phase: RoundStatus['phase'] = 'starting';
  private openedAt = 0;
  private windowEndsAt = 0;

  /** Contributions by round (the current one, early ones for the next, the last one's for late fetchers). */
  private readonly contributions: ContributionStore;
  /** When each contribution reached this peer: of two copies, the later loses. */
  private readonly arrivals = new Map<string, number>();
  private readonly verifier: RoundVerifier;
  /** Who signed the commits gossip delivered, by round, before they were checked (see commit()). */
  private readonly commitsArrived = new Map<number, string[]>();
  private own: Own | null = null;
  /** The payloads the last commit accepted (what a replayer sends again). */
  private lastAccepted: Uint8Array[] = [];
  /** What the trainer's weights are relative to: the snapshot, once taken, else θ_r. */
  private anchor: Float32Array | null = null;
  private roundStartStep = 0;
  /** The step the trainer last said it holds at; a hold at or past the round's start means it is done. */
  private heldAt: number | null = null;
  private losses = new Map<string, { sum: number; count: number }>();
  /** The round before the one applied last, kept so a better-ranked competing commit can replace it. */
  private previous: { hash: string; signer: string; state: Committed; own: Own | null } | null = null;
  private closedAt: number | null = null;
  private lastCommit: RoundInfo['lastCommit'] = null;
  private bytesSent = 0;
  private bytesReceived = 0;
  private roundIn = 0;
  private roundOut = 0;
  private resyncs = 0;
  private resyncWanted = false;
  /** The round whose contributions last said this peer is on a fork (checked once a round). */
  private forkSeenIn = -1;

  /** Every change to the round runs here, one at a time (serial.ts). */
  private readonly tasks: SerialTasks;
  private stateCache: SyncState | null = null;
  /** Each served protocol's requests, by protocol id (/metrics). */
  readonly requestStats: Record<string, RequestStats> = {};
  /** A mend of the rounds recorded on a fork's losing side, while one runs (history.ts); stop waits for it. */
  private mending: Promise<void> | null = null;

  constructor(private readonly options: RoundDriverOptions) {
    this.spec = options.spec;
    this.runId = options.runId;
    this.self = options.peer.peerId;
    this.timing = { ...defaultTiming(options.spec), ...options.timing };
    this.log = options.log ?? (() => {});
    this.tasks = new SerialTasks(this.log);
    this.contributions = new ContributionStore({
      spec: options.spec,
      runId: options.runId,
      peer: options.peer,
      size: () => this.size,
      requestTimeoutMs: this.timing.requestTimeoutMs,
      sent: (bytes) => this.sent(bytes),
      received: (bytes) => this.received(bytes),
    });
    this.epochs = new EpochCloser({
      table: options.rewards,
      runId: options.runId,
      emission: options.spec.rewards,
      log: this.log,
      closed: (record) => options.epochClosed?.(record),
    });
    this.verifier = new RoundVerifier({
      runId: options.runId,
      batchSize: options.spec.batchSize,
      maxInnerSteps: options.spec.round.maxInnerSteps,
      shardCount: options.spec.shardCount,
      assignment: (round, peer) => this.assignmentOf(round, peer),
      score: (request) => options.trainer.score(request),
    });
  }

  /** The data `peer` trains in `round`: anyone can replay it from the run, the round and the peer id. */
  private assignmentOf(round: number, peer: string): Assignment {
    return { shard: assignShard(this.runId, round, peer, this.spec.shardCount), seed: JSON.stringify([this.runId, round, peer]) };
  }

  info(): RoundInfo {
    const held = this.contributions.round(this.round);
    const valid = [...held.values()].filter((c) => c.update);
    return {
      round: {
        round: this.round,
        phase: this.phase,
        baseHash: this.base,
        openedAt: this.openedAt,
        windowEndsAt: this.windowEndsAt,
        contributions: valid.length,
        quorum: this.quorum(),
        leader: this.ranking()[0] ?? null,
        contributed: this.own !== null,
        reputation: reputationOf(this.reputation, this.self) / PPM,
        mayLead: this.eligible.includes(this.self),
      },
      lastCommit: this.lastCommit,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      resyncs: this.resyncs,
    };
  }

  /** The committed weights θ_r this peer trains from (a copy). */
  committedWeights(): { round: number; hash: string; theta: Float32Array } {
    return { round: this.round, hash: this.base, theta: Float32Array.from(this.theta) };
  }

  async start(): Promise<void> {
    await this.restore();
    const { peer } = this.options;
    peer.subscribe({
      topic: contributionsTopic(this.runId),
      maxBytes: MAX_HEADER_BYTES,
      decode: (bytes) => this.contributions.decode(bytes),
      check: (message) => {
        const check = this.contributions.check(message, this.round, this.base);
        // Made from another model than the round's: of no use, and the round's commit says so.
        if (check.outcome === 'ignore' && check.reason === 'wrong-base') this.refuse(message, 'wrong-base');
        return check;
      },
      deliver: (message, from) => this.receiveContribution(message, from),
    });
    peer.subscribe({
      topic: commitsTopic(this.runId),
      maxBytes: MAX_COMMIT_BYTES,
      decode: async (bytes) => ({ ...(await openCommit(bytes)), bytes, hash: sha256Hex(bytes) }),
      check: (message) => this.checkCommit(message.commit),
      deliver: (message) => {
        const signers = this.commitsArrived.get(message.commit.round) ?? [];
        this.commitsArrived.set(message.commit.round, [...signers, message.signer]);
        for (const r of this.commitsArrived.keys()) if (r < this.round - 1) this.commitsArrived.delete(r);
        return this.tasks.enqueue('a commit', () => this.receiveCommit(message));
      },
    });
    this.requestStats[CONTRIBUTION_PROTOCOL] = serve(
      peer.libp2p,
      CONTRIBUTION_PROTOCOL,
      { maxRequestBytes: 128, timeoutMs: this.timing.requestTimeoutMs, perMinute: 600, onMalformed: (from) => peer.strike(from) },
      async (body) => this.contributions.serve(body),
    );
    this.requestStats[STATE_PROTOCOL] = serveState(peer.libp2p, () => this.syncState(), { onMalformed: (from) => peer.strike(from) });
    this.requestStats[COMMIT_PROTOCOL] = serveCommits(peer.libp2p, this.runId, (round) => this.options.records.signedCommit(this.runId, round), {
      timeoutMs: this.timing.requestTimeoutMs,
      onMalformed: (from) => peer.strike(from),
    });

    // A joining peer first looks for the network's latest state; alone, it starts from its own.
    await this.waitForPeers(this.timing.joinWaitMs);
    await this.tasks.enqueue('joining', async () => {
      if (peer.libp2p.getPeers().length > 0) await this.resync('joining', { force: !this.totals }).catch((error: Error) => this.log(`rounds: starting on our own state: ${error.message}`));
      if (this.phase !== 'training') await this.openRound({ fresh: true });
    });
  }

  async stop(): Promise<void> {
    this.phase = 'stopped';
    await this.tasks.stop();
    await this.mending;
  }

  /** The trainer holds at `step`: once it has trained the round's H steps, the round's work is done. */
  trainerHeld(step: number): void {
    this.heldAt = step;
    void this.tasks.enqueue('the trainer holding', async () => {
      if (this.phase === 'training' && !this.own && step >= this.roundStartStep + this.spec.round.maxInnerSteps) await this.contribute();
    });
  }

  /** A restarted trainer thread holds its last checkpoint's weights: give it θ_r and the round's steps again. */
  trainerRestarted(): void {
    void this.tasks.enqueue('a trainer restart', async () => {
      if (this.phase !== 'training') return;
      if (this.own) addSparse(this.error, this.own.update);
      await this.openRound({ fresh: true });
    });
  }

  /** Training progress: its losses go into this round's header. */
  observeLosses(losses: Record<string, number>): void {
    for (const [name, value] of Object.entries(losses)) {
      if (!Number.isFinite(value)) continue;
      const entry = this.losses.get(name) ?? { sum: 0, count: 0 };
      entry.sum += value;
      entry.count++;
      this.losses.set(name, entry);
    }
  }

  // ---------------------------------------------------------------------------------------------- state

  private async restore(): Promise<void> {
    let saved: RoundState | null = null;
    try {
      saved = await loadRoundState(this.options.statePath);
    } catch (error) {
      if (!(error instanceof CodecError)) throw error;
      this.log(`rounds: the saved round state is damaged (${error.message}); starting from the run's seed and syncing`);
    }
    const genesis = await this.options.genesis();
    this.size = genesis.length;
    if (!saved || saved.runId !== this.runId || saved.theta.length !== this.size) {
      this.totals = new Map();
      this.theta = genesis;
      this.momentum = new Float32Array(this.size);
      this.error = new Float32Array(this.size);
      this.base = this.genesisHash = modelHash(this.theta, this.momentum);
      return;
    }
    this.round = saved.round;
    this.theta = saved.theta;
    this.momentum = saved.momentum;
    this.error = saved.error;
    this.commitBytes = saved.commit;
    // A commit of an older format ranks nobody first; the round still runs.
    const last = saved.commit ? ((await openCommit(saved.commit).catch(() => null))?.commit ?? null) : null;
    if (last) [this.eligible, this.reputation] = [eligibleAfter(last), last.reputation];
    this.base = modelHash(this.theta, this.momentum);
    if (this.round === 0) this.genesisHash = this.base;
    this.totals = this.round === 0 ? new Map() : this.options.rewards.totals(this.runId, this.round);
    if (this.totals && last && rewardRoot(this.totals) !== last.rewardRoot) {
      this.log(`rounds: the ledger's reward totals are not the ones round ${last.round}'s commit names; syncing them`);
      this.totals = null;
    }
    this.log(`rounds: resuming at round ${this.round}${this.totals ? '' : " (this ledger lacks the reward totals before it: syncing)"}`);
  }

  private async save(): Promise<void> {
    await saveRoundState(this.options.statePath, {
      runId: this.runId,
      round: this.round,
      theta: this.theta,
      momentum: this.momentum,
      error: this.error,
      commit: this.commitBytes,
    });
  }

  /** The committed state as peers download it: θ then the momentum, hashed as a commit names it. */
  private syncState(): SyncState | null {
    // Without the reward table its commit names, this peer's state is of no use to a joiner.
    if (!this.totals) return null;
    if (this.stateCache?.hash !== this.base) {
      const vector = new Uint8Array(this.size * 8);
      vector.set(bytesOf(this.theta), 0);
      vector.set(bytesOf(this.momentum), this.size * 4);
      this.stateCache = { runId: this.runId, round: this.round, commit: this.commitBytes, totals: encodeTotals(this.totals), vector, hash: this.base };
    }
    return this.stateCache;
  }

  // ---------------------------------------------------------------------------------------------- rounds

  /**
   * Opens round `this.round` from θ_r. `fresh`: the trainer's weights are replaced by θ_r (start, resync);
   * otherwise they move by θ_r − anchor, keeping the steps trained since the snapshot.
   */
  private async openRound({ fresh }: { fresh: boolean }): Promise<void> {
    const { trainer } = this.options;
    // Recorded first: contributions for the round may arrive while the trainer is being set up.
    this.record((records) => records.open(this.runId, this.round, this.base, Date.now()));
    // A peer there from the start holds every credit: its totals start from round 0's empty table.
    if (this.round === 0 && this.base === this.genesisHash) this.record(() => this.options.rewards.setBaseline(this.runId, 0, EMPTY_ROOT, new Map(), Date.now()));
    this.epochs.roundOpened(this.round, this.totals);
    const assignment = this.assignmentOf(this.round, this.self);
    if (fresh) {
      await trainer.writeWeights(Float32Array.from(this.theta));
      await trainer.rebase({ shift: null, assignment });
      // Grants the round's steps from where the trainer is now.
      this.roundStartStep = (await trainer.snapshot(this.spec.round.maxInnerSteps)).step;
      this.heldAt = null;
    } else {
      const anchor = this.anchor ?? this.theta;
      const shift = new Float32Array(this.size);
      for (let i = 0; i < this.size; i++) shift[i] = this.theta[i]! - anchor[i]!;
      await trainer.rebase({ shift, assignment });
    }
    this.anchor = null;
    this.own = null;
    this.closedAt = null;
    this.losses = new Map();
    this.roundIn = this.roundOut = 0;
    this.phase = 'training';
    this.openedAt = Date.now();
    this.windowEndsAt = this.windowEnd(this.openedAt);
    this.contributions.forgetBefore(this.round - 1);
    for (const hash of this.arrivals.keys()) if (!this.contributions.has(hash)) this.arrivals.delete(hash);
    // Early contributions for this round that were made from another base are of no use; those refused as
    // made from another base before this peer took the commit they build on (a better-ranked one, a sync) are
    // fetched after all.
    for (const held of [...this.contributions.round(this.round).values()]) {
      if (held.header.baseHash !== this.base) {
        if (!held.refused) this.refuse(held, 'wrong-base');
        continue;
      }
      if (held.refused === 'wrong-base') this.reinstate(held);
      this.recordContribution(held, false);
    }

    const opened = ++this.opened;
    const windowMs = this.windowEndsAt - this.openedAt;
    this.tasks.after('the window end', windowMs, () => (this.opened === opened && this.phase === 'training' && !this.own ? this.contribute() : undefined));
    this.tasks.after('the close', windowMs + this.timing.graceMs, () => (this.opened === opened ? this.closeLate(opened) : undefined));
    // A round nobody commits is given up, weights unchanged (the commit slots of up to 8 ranks, then a margin).
    this.tasks.after('giving up', windowMs + this.timing.graceMs + 2 * this.timing.patienceMs + 10 * this.timing.fallbackMs, () => (this.opened === opened ? this.abandon() : undefined));
    this.changed();
    void trainer.paint(Float32Array.from(this.theta), this.round).catch((error: Error) => this.log(`rounds: painting round ${this.round}'s model: ${error.message}`));
    // A trainer already holding at the grant trained the whole round while the last one closed.
    if (this.heldAt !== null && this.heldAt >= this.roundStartStep + this.spec.round.maxInnerSteps) await this.contribute();
    else this.checkQuorum();
  }

  /**
   * When the round's window ends: its length after the commit that opened it, so peers that received the
   * commit at different times (or synced to it mid-round) still contribute together; clamped, so a skewed
   * clock can neither stretch a window past its length nor leave a late opener no time to train.
   */
  private windowEnd(now: number): number {
    const length = this.spec.round.seconds * 1000;
    const anchored = this.anchorTime === null ? now + length : this.anchorTime + length;
    return Math.min(now + length, Math.max(now + length * MIN_WINDOW_SHARE, anchored));
  }

  /** Who leads the round, then each fallback: the last commit's contributors first, then the newcomers. */
  private ranking(round = this.round, eligible = this.eligible): string[] {
    return roundRanking(this.runId, round, eligible, this.validContributions(round).map((c) => c.peerId));
  }

  /** Snapshots the local weights and publishes this peer's contribution to the round. */
  private async contribute(): Promise<void> {
    if (this.own || this.phase !== 'training') return;
    const { adversary } = this.options;
    if (adversary && !readyToCheat(adversary, this.othersOfRound().length, this.lastAccepted.length)) {
      // A copycat or a replayer waits for something to copy; the round may close without it.
      const opened = this.opened;
      this.tasks.after('a cheat waiting', 250, () => (this.opened === opened ? this.contribute() : undefined));
      return;
    }
    const snapshot = await this.options.trainer.snapshot(this.spec.round.maxInnerSteps);
    const startStep = this.roundStartStep;
    const steps = snapshot.step - startStep;
    this.roundStartStep = snapshot.step;
    this.heldAt = null;
    if (steps <= 0) return; // paused all round: nothing to give
    this.anchor = snapshot.values;
    const delta = new Float32Array(this.size);
    let sum = 0;
    for (let i = 0; i < this.size; i++) sum += delta[i] = this.theta[i]! - snapshot.values[i]!;
    if (!Number.isFinite(sum)) {
      // Diverged local training would poison the aggregate: send nothing, and start the next round from θ_r.
      this.log(`rounds: round ${this.round}: the local weights are not finite; this round's work is dropped`);
      await this.options.trainer.writeWeights(Float32Array.from(this.theta));
      return;
    }
    const made = adversary
      ? makeCheat(delta, this.error, {
          kind: adversary,
          compression: this.spec.compression,
          seed: `${this.runId}/${this.round}/${this.self}`,
          base: this.base,
          previousBase: this.previous?.state.base ?? null,
          others: this.othersOfRound().map((c) => c.update!),
          earlier: this.lastAccepted,
        })
      : makeHonest(delta, this.error, this.spec.compression, this.base);
    const { payload, update } = made;
    const header: ContributionHeader = {
      runId: this.runId,
      round: this.round,
      baseHash: made.baseHash,
      rewardAddress: this.options.rewardAddress(),
      samples: Math.min(steps, this.spec.round.maxInnerSteps) * this.spec.batchSize,
      steps: Math.min(steps, this.spec.round.maxInnerSteps),
      losses: Object.fromEntries([...this.losses].map(([name, { sum, count }]) => [name, sum / count])),
      payloadHash: sha256Hex(payload),
      payloadBytes: payload.length,
    };
    const bytes = await signContribution(header, this.options.privateKey);
    const hash = sha256Hex(bytes);
    this.own = { hash, update: made.sent, startStep };
    this.arrivals.set(hash, Date.now());
    const held: Held = { header, peerId: this.self, bytes, hash, payload, update };
    if (made.refused) this.contributions.refuse(held, made.refused);
    else this.contributions.round(this.round).set(hash, held);
    this.recordContribution(held, true);
    this.sent(bytes.length);
    const reached = await this.options.peer.publish(contributionsTopic(this.runId), bytes).catch((error: Error) => {
      this.log(`rounds: publishing the contribution failed: ${error.message}`);
      return 0;
    });
    this.log(`rounds: round ${this.round}: contributed ${header.steps} steps, ${payload.length} bytes, to ${reached} peers`);
    this.checkQuorum();
    this.changed();
  }

  /**
   * What a copycat copies: other peers' valid contributions of the round, first arrived first — only those of
   * the last commit's contributors (proven work) while the round has any.
   */
  private othersOfRound(): Held[] {
    const others = this.validContributions().filter((c) => c.peerId !== this.self);
    const proven = this.eligible.some((peer) => peer !== this.self) ? others.filter((c) => this.eligible.includes(c.peerId)) : others;
    return proven.sort((a, b) => (this.arrivals.get(a.hash) ?? 0) - (this.arrivals.get(b.hash) ?? 0));
  }

  private quorum(): number {
    const active = this.options.peer.libp2p.services.pubsub.getSubscribers(contributionsTopic(this.runId)).length + 1;
    return quorumOf(active, this.spec.quorum);
  }

  private validContributions(round = this.round): Held[] {
    return [...this.contributions.round(round).values()].filter((c) => c.update !== null && c.header.baseHash === this.base);
  }

  /** Closes the round once its quorum is in (quorum.ts); syncs, once a round, when its arrivals say this peer is on a fork. */
  private checkQuorum(): void {
    if (this.phase !== 'training' || this.closedAt !== null) return;
    const refused = this.contributions.refused(this.round).map((c) => c.refused!);
    const verdict = quorumVerdict({ valid: this.validContributions().length, refused, quorum: this.quorum() });
    if (verdict.kind === 'close') this.close('a quorum is in');
    else if (verdict.kind === 'fork' && this.forkSeenIn !== this.round) {
      this.forkSeenIn = this.round;
      void this.tasks.enqueue('a fork', () => this.resync(`${verdict.elsewhere} of round ${this.round}'s contributions are on another base`));
    }
  }

  /**
   * The window and its grace are over without a quorum. Contributions whose payloads are still on their way
   * get one more grace (a busy peer's download can be slow); then the round closes with what is in.
   */
  private closeLate(opened: number, extended = false): void {
    const pending = [...this.contributions.round(this.round).values()].some((c) => c.update === null && !c.refused && c.header.baseHash === this.base);
    if (pending && !extended && this.validContributions().length < this.quorum()) {
      this.tasks.after('the close', this.timing.graceMs, () => (this.opened === opened ? this.closeLate(opened, true) : undefined));
      return;
    }
    this.close('the window ended');
  }

  /** The round closes: each contributor's commit slot is counted from now, by rank. */
  private close(why: string): void {
    if (this.closedAt !== null || this.phase !== 'training') return;
    const valid = this.validContributions();
    if (valid.length === 0) return; // nothing to commit; `abandon` moves on
    this.closedAt = Date.now();
    this.log(`rounds: round ${this.round}: closing with ${valid.length} contributions (quorum ${this.quorum()}): ${why}, ${this.closedAt - this.openedAt} ms after it opened`);
    this.awaitCommitSlot(this.opened);
    this.changed();
  }

  /**
   * Commits at this peer's slot (leader.ts). The slot is reckoned again until it comes: a peer ranked before
   * this one that disconnects stops being waited for with patience.
   */
  private awaitCommitSlot(opened: number): void {
    if (this.opened !== opened || this.phase !== 'training' || this.closedAt === null) return;
    const connected = new Set(this.options.peer.libp2p.getPeers().map(String));
    const valid = this.validContributions();
    const contributors = new Set(valid.map((c) => c.peerId));
    const waitFor = (peer: string) => (connected.has(peer) && contributors.has(peer) ? this.timing.patienceMs : this.timing.fallbackMs);
    const slot = commitSlot(this.ranking(), this.self, this.closedAt, waitFor);
    if (slot === null) return;
    const wait = slot - Date.now();
    if (wait <= 0) void this.tasks.enqueue('the commit slot', () => this.commitIfOpen(opened));
    else this.tasks.after('the commit slot', Math.min(wait, SLOT_RECHECK_MS), () => this.awaitCommitSlot(opened));
  }

  /** Commits, if the round `opened` counted is still the one training here (a timer may outlive it). */
  private commitIfOpen(opened: number): Promise<void> | undefined {
    return this.opened === opened && this.phase === 'training' ? this.commit() : undefined;
  }

  /**
   * This peer commits the round: what it holds is screened and scored (worker/verify/), the accepted make the
   * model, and the commit names both the accepted, with their scores, and the refused, with their reasons.
   */
  private async commit(): Promise<void> {
    const held = this.validContributions().sort((a, b) => (a.hash < b.hash ? -1 : 1));
    if (!held.some((c) => c.peerId === this.self)) {
      // A round can close before this peer's own contribution is made (a quorum came in while it synced): the
      // peers ranked after it wait for it with patience, so it commits as soon as its contribution is in.
      const opened = this.opened;
      if (this.own === null) this.tasks.after('the commit slot', SLOT_RECHECK_MS, () => this.commitIfOpen(opened));
      else this.log(`rounds: round ${this.round}: our own contribution is not among the valid ones; leaving the commit to a fallback`);
      return;
    }
    this.phase = 'committing';
    const round = this.round;
    const verdicts = await this.verifier.verify(round, this.base, this.theta, held, (c) => this.arrivals.get(c.hash) ?? Number.MAX_SAFE_INTEGER, this.reputation);
    // A round moved on while the trainer scored (a better commit came, or a resync) is not ours to commit.
    if (this.round !== round || this.phase !== 'committing' || this.tasks.stopped) return;
    for (const { held: c, reason, detail } of verdicts.rejected) {
      this.log(`rounds: round ${round}: refused ${c.hash.slice(0, 8)} by ${c.peerId.slice(-8)}: ${REJECTION_WORDS[reason]}${detail ? ` (${detail})` : ''}`);
    }
    // A commit by a peer ranked before us arrived while the trainer scored: it waits behind this task, and
    // would win anyway (leader.ts); committing too would only make every peer switch.
    const ranking = this.ranking();
    const arrived = this.commitsArrived.get(round) ?? [];
    if (arrived.some((signer) => ranking.indexOf(signer) >= 0 && ranking.indexOf(signer) < ranking.indexOf(this.self))) {
      this.phase = 'training';
      return;
    }
    const made = this.totals
      ? lead({
          runId: this.runId,
          round,
          from: { theta: this.theta, momentum: this.momentum },
          base: this.base,
          self: this.self,
          verdicts,
          refused: this.contributions.refused(round),
          reputation: this.reputation,
          totals: this.totals,
          spec: this.spec,
          now: Date.now(),
        })
      : { kind: 'leave' as const, why: 'this peer does not know the reward totals yet' };
    if (made.kind === 'leave') {
      this.log(`rounds: round ${round}: ${made.why}; leaving the commit to a fallback`);
      this.phase = 'training';
      return;
    }
    const { commit, next } = made;
    const bytes = await signCommit(commit, this.options.privateKey);
    const rank = ranking.indexOf(this.self);
    const as = rank === 0 ? 'leader' : `fallback ${rank} (${Date.now() - (this.closedAt ?? Date.now())} ms after the close)`;
    this.log(`rounds: round ${round}: committing ${next.accepted.length} contributions as ${as} (${verdicts.rejected.length} refused)`);
    this.sent(bytes.length);
    await this.options.peer.publish(commitsTopic(this.runId), bytes).catch((error: Error) => this.log(`rounds: publishing the commit failed: ${error.message}`));
    // Our own commit needs no checking against itself: applied as made.
    this.previous = { hash: sha256Hex(bytes), signer: this.self, state: this.committed(), own: this.own };
    await this.adopt({ commit, signer: this.self, bytes }, next);
  }

  private async receiveCommit(message: { commit: Commit; signer: string; bytes: Uint8Array; hash: string }): Promise<void> {
    const { commit, signer } = message;
    if (commit.runId !== this.runId) return;
    if (commit.round === this.round - 1 && this.previous && this.previous.hash !== message.hash) return this.compete(message);
    if (commit.round > this.round) return void (await this.resyncFor(message, `a commit for round ${commit.round} while in round ${this.round}`));
    if (commit.round !== this.round) return;
    if (commit.baseHash !== this.base) return void (await this.resyncFor(message, `the commit for round ${commit.round} is on another base`));
    const next = await this.verifyCommit(message);
    if (!next) return;
    this.previous = { hash: message.hash, signer, state: this.committed(), own: this.own };
    await this.adopt(message, next);
  }

  /** The committed state this round started from (the error buffer copied: training goes on changing it). */
  private committed(): Committed {
    const { round, theta, momentum, base, commitBytes, eligible, reputation, totals, anchorTime, lastCommit } = this;
    return { round, theta, momentum, error: Float32Array.from(this.error), base, commitBytes, eligible, reputation, totals, anchorTime, lastCommit };
  }

  private restoreCommitted(state: Committed): void {
    ({
      round: this.round,
      theta: this.theta,
      momentum: this.momentum,
      error: this.error,
      base: this.base,
      commitBytes: this.commitBytes,
      eligible: this.eligible,
      reputation: this.reputation,
      totals: this.totals,
      anchorTime: this.anchorTime,
      lastCommit: this.lastCommit,
    } = state);
  }

  /**
   * A second valid commit for the round just applied: if its signer ranks better, every honest peer takes it
   * (leader.ts), so this one switches too. A contribution already made to the new round was made on the base
   * that loses: it is dropped, and the steps behind it stay in the trainer's weights and go into the next one.
   */
  private async compete(message: { commit: Commit; signer: string; bytes: Uint8Array; hash: string }): Promise<void> {
    const previous = this.previous!;
    const ranking = roundRanking(this.runId, message.commit.round, previous.state.eligible, [previous.signer, message.signer]);
    if (previous.signer === message.signer || ranking.indexOf(message.signer) > ranking.indexOf(previous.signer)) return;
    // A better-ranked commit of that round on another base: the round before it forked, and this peer took the
    // losing side (a state synced from a peer that had not switched yet). The network's state heals it.
    if (message.commit.baseHash !== previous.state.base) return void (await this.resync(`a better-ranked commit for round ${message.commit.round} is on another base`));
    const applied = { state: this.committed(), own: this.own, startStep: this.roundStartStep };
    this.restoreCommitted(previous.state);
    this.own = previous.own;
    const next = await this.verifyCommit(message);
    if (!next) {
      this.restoreCommitted(applied.state);
      this.own = applied.own;
      return;
    }
    this.log(`rounds: round ${message.commit.round}: switching to the better-ranked commit by ${message.signer.slice(-8)}`);
    // The trainer's weights are relative to the commit applied first; the new round's steps count from its start.
    this.anchor = applied.state.theta;
    this.roundStartStep = applied.own?.startStep ?? applied.startStep;
    this.previous = { ...previous, hash: message.hash, signer: message.signer };
    await this.adopt(message, next);
  }

  /** The model a commit makes, if everything in it checks out against what this peer holds or can fetch. */
  private verifyCommit(message: { commit: Commit; signer: string }): ReturnType<typeof verifyCommit> {
    const context = {
      from: { theta: this.theta, momentum: this.momentum },
      base: this.base,
      reputation: this.reputation,
      round: this.round,
      contributions: this.contributions,
      outer: this.spec.outerOptimizer,
      aggregation: this.spec.aggregation,
      emission: this.spec.rewards,
      totals: this.totals,
      log: this.log,
    };
    return verifyCommit(message, context);
  }

  /** Takes the committed model as θ_{r+1}, records the commit, saves, and opens the next round. */
  private async adopt(
    message: { commit: Commit; signer: string; bytes: Uint8Array },
    next: Pick<VerifiedCommit, 'theta' | 'momentum' | 'accepted' | 'rewards' | 'totals'>,
  ): Promise<void> {
    const { commit, signer } = message;
    const ownAccepted = this.own !== null && commit.accepted.some((c) => c.hash === this.own!.hash);
    if (this.own && !ownAccepted) addSparse(this.error, this.own.update); // not taken: send it later
    this.record((records) =>
      records.recordAdoption(
        adoptionRecord({
          runId: this.runId,
          commit,
          signer,
          signed: message.bytes,
          accepted: next.accepted,
          ownHash: this.own?.hash ?? null,
          rewards: next.rewards,
          traffic: { bytesIn: this.roundIn, bytesOut: this.roundOut },
          now: Date.now(),
        }),
      ),
    );
    this.verifier.remember(commit.round, next.accepted);
    this.lastAccepted = next.accepted.flatMap((c) => (c.payload ? [c.payload] : []));
    this.lastCommit = { round: commit.round, modelHash: commit.modelHash, committedBy: signer, accepted: next.accepted.length, at: Date.now() };
    // Without a snapshot this round (a peer that joined or sat it out), the trainer's weights are relative to θ_r.
    this.anchor ??= this.theta;
    this.theta = next.theta;
    this.momentum = next.momentum;
    this.base = commit.modelHash;
    this.commitBytes = message.bytes;
    [this.eligible, this.reputation, this.totals] = [eligibleAfter(commit), commit.reputation, next.totals];
    this.anchorTime = commit.committedAt;
    this.round = commit.round + 1;
    this.log(`rounds: round ${commit.round} committed by ${signer === this.self ? 'us' : signer.slice(-8)}: ${next.accepted.length} contributions, model ${commit.modelHash.slice(0, 12)}`);
    // The trainer moves on first; the save follows (a crash in between only costs a resync on restart).
    await this.openRound({ fresh: false });
    await this.save();
  }

  /** Nobody committed: the weights stay, this peer's update goes back into its error buffer, next round. */
  private async abandon(): Promise<void> {
    if (this.own) addSparse(this.error, this.own.update);
    this.log(`rounds: round ${this.round} closed without a commit; the weights stay as they are`);
    this.record((records) => records.addTraffic(this.runId, this.round, this.roundIn, this.roundOut));
    this.previous = null;
    this.anchorTime = null;
    this.round++;
    await this.save();
    await this.openRound({ fresh: false });
  }

  /**
   * Syncs because of `message`, then takes it if it applies to the state synced to: a peer may serve the state
   * of the round before a commit it has not adopted yet, and the commit will not come again by gossip.
   */
  private async resyncFor(message: { commit: Commit; signer: string; bytes: Uint8Array; hash: string }, reason: string): Promise<void> {
    await this.resync(reason);
    const { commit } = message;
    if (commit.round === this.round && commit.baseHash === this.base && this.phase === 'training') await this.receiveCommit(message);
  }

  /** Downloads the network's latest committed state and trains from it (local steps since are dropped). */
  private async resync(reason: string, { force = false } = {}): Promise<void> {
    if (this.resyncWanted) return;
    this.resyncWanted = true;
    const previous = this.phase;
    this.phase = 'syncing';
    this.changed();
    try {
      const peers = this.options.peer.libp2p.getPeers();
      if (peers.length === 0) throw new Error('no peers to sync from');
      this.log(`rounds: syncing (${reason})`);
      // Forced: this peer lacks the reward totals, and even a state like its own brings them.
      const have = force ? { round: this.round - 1, hash: '' } : { round: this.round, hash: this.base };
      const fetched = await fetchState(this.options.peer.libp2p, peers, this.runId, { timeoutMs: this.timing.requestTimeoutMs, log: this.log, have });
      if (!fetched) {
        this.log(`rounds: the network is at round ${this.round} or before; ours is as new`);
        this.phase = previous;
        return;
      }
      const { state } = fetched;
      const adopted = await verifyState(state, { runId: this.runId, size: this.size, genesisHash: this.genesisHash });
      if (adopted.round < this.round || (adopted.round === this.round && adopted.hash === this.base && !force)) {
        this.log(`rounds: the network is at round ${adopted.round}; ours (${this.round}) is as new`);
        this.phase = previous;
        return;
      }
      if (this.own) addSparse(this.error, this.own.update);
      // The ledger takes the table first: a process killed before the state's save resumes at the old round,
      // where this baseline does not reach, and so syncs again rather than trust totals that lack credits.
      this.record(() => this.options.rewards.setBaseline(this.runId, adopted.round, adopted.rewardRoot, adopted.totals, Date.now()));
      this.totals = adopted.totals;
      this.round = adopted.round;
      this.theta = adopted.theta;
      this.momentum = adopted.momentum;
      this.base = adopted.hash;
      this.commitBytes = state.commit;
      this.eligible = adopted.eligible;
      this.reputation = adopted.reputation;
      this.anchorTime = adopted.anchorTime;
      this.previous = null;
      this.resyncs++;
      this.log(`rounds: synced to round ${this.round}, model ${this.base.slice(0, 12)}`);
      await this.save();
      await this.openRound({ fresh: true });
      // Off the rounds' line: asking peers for past commits must not hold up the round just opened.
      this.mending ??= this.mendHistory(adopted.round, adopted.hash, state.commit).finally(() => (this.mending = null));
    } catch (error) {
      this.phase = previous;
      throw error;
    } finally {
      this.resyncWanted = false;
      this.changed();
    }
  }

  // ---------------------------------------------------------------------------------------------- gossip

  private receiveContribution(c: Held, from: string): void {
    this.received(c.bytes.length);
    if (!this.arrivals.has(c.hash)) this.arrivals.set(c.hash, Date.now());
    this.contributions.round(c.header.round).set(c.hash, c);
    // One for the next round is recorded when that round opens here.
    if (c.header.round === this.round) this.recordContribution(c, false);
    this.loadPayload(c, [c.peerId, from]);
  }

  /** Fetches a held contribution's payload from the first of `sources` that has it, then sees whether the round can close. */
  private loadPayload(c: Held, sources: string[]): void {
    void this.contributions.load(c, sources)
      .then(() => this.tasks.enqueue('a payload', async () => {
        if (c.refused) this.log(`rounds: refused ${c.hash.slice(0, 8)} by ${c.peerId.slice(-8)} for round ${c.header.round}: ${REJECTION_WORDS[c.refused]}`);
        this.checkQuorum();
        this.changed();
      }))
      .catch((error: Error) => this.log(`rounds: the payload of ${c.peerId.slice(-8)} for round ${c.header.round} did not come: ${error.message}`));
  }

  private checkCommit(commit: Commit): Check {
    if (commit.runId !== this.runId) return { outcome: 'reject', reason: 'wrong-run' };
    // The round just applied may still get a competing, better-ranked commit (see compete).
    if (commit.round < this.round - 1) return { outcome: 'ignore', reason: 'stale-round' };
    return { outcome: 'accept' };
  }

  // ---------------------------------------------------------------------------------------------- plumbing

  /** A contribution refused as made from another base, made from the one this peer now holds: fetched and judged. */
  private reinstate(c: Held): void {
    delete c.refused;
    this.loadPayload(c, [c.peerId, ...this.options.peer.libp2p.getPeers().map(String).filter((p) => p !== c.peerId)]);
  }

  /** Holds `c` as refused on arrival (see `Held.refused`); one of the round open is recorded now. */
  private refuse(c: Held, reason: RejectionReason): void {
    this.contributions.refuse(c, reason);
    if (c.header.round === this.round) this.recordContribution(c, false);
  }

  /** Rewrites the rounds this peer recorded on a fork's losing side as the chain synced to has them (history.ts). */
  private async mendHistory(round: number, modelHash: string, commitBytes: Uint8Array | null): Promise<void> {
    const { records } = this.options;
    const { libp2p } = this.options.peer;
    try {
      const stateCommit: SignedCommit | null = commitBytes ? { ...(await openCommit(commitBytes)), bytes: commitBytes } : null;
      const rows = await mendHistory({
        runId: this.runId,
        emission: this.spec.rewards,
        round,
        modelHash,
        stateCommit,
        hashes: (r) => records.hashes(this.runId, r),
        signedCommit: (r) => records.signedCommit(this.runId, r),
        rewardAddresses: (r) => records.rewardAddresses(this.runId, r),
        fetch: (r, hash) =>
          fetchCommit(libp2p, libp2p.getPeers(), { runId: this.runId, round: r, modelHash: hash }, { timeoutMs: this.timing.requestTimeoutMs, received: (bytes) => (this.bytesReceived += bytes) }),
      });
      if (rows.length === 0 || this.tasks.stopped) return;
      this.record((ledger) => ledger.recordMend(rows));
      this.log(`rounds: rounds ${rows[0]!.round}–${rows.at(-1)!.round} were recorded on a fork's losing side; mended as the network has them`);
    } catch (error) {
      this.log(`rounds: could not mend the rounds before ${round}: ${(error as Error).message}`);
    }
  }

  private recordContribution(c: Held, own: boolean): void {
    this.record((records) => records.recordContribution(contributionRecord(this.runId, c, own, Date.now())));
  }

  /** The ledger keeps the record of rounds; it never decides them, so a failed write (a full disk) is logged. */
  private record(write: (records: RoundRecords) => void): void {
    try {
      write(this.options.records);
    } catch (error) {
      this.log(`rounds: the ledger could not record this: ${(error as Error).message}`);
    }
  }

  private sent(bytes: number): void {
    this.bytesSent += bytes;
    this.roundOut += bytes;
  }

  private received(bytes: number): void {
    this.bytesReceived += bytes;
    this.roundIn += bytes;
  }

  private changed(): void {
    this.options.changed?.(this.info());
  }

  private async waitForPeers(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.tasks.stopped && this.options.peer.libp2p.getPeers().length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
