/**
 * The dashboard's live state: loaded once per connection, then kept current by the node's events.
 * Components read it; only the methods here talk to the node.
 */
import type {
  Earnings,
  NetworkStatus,
  ProgressPoint,
  RoundRecord,
  SamplesFrame,
  Settings,
  StateInfo,
  Status,
  WorkTotals,
  WorkUnit,
} from '../../../worker/api/contract.js';
import { ApiCallError } from '../../../worker/api/rpc-client.js';
import type { ConnectionState, DashboardClient } from './connection.js';
import { appendProgress, MAX_WORK_UNITS, prependWorkUnit, trimProgress } from './history.js';
import { isNewCommit } from './network.js';
import { strings } from './strings.js';

/** How long to wait before asking again when the node did not answer the initial load. */
const RELOAD_DELAY_MS = 3000;
/** Latency and peers change without events: ask for the network status this often while connected. */
const NETWORK_POLL_MS = 2000;
/** Rows in the Network view's table of recent rounds. */
const ROUND_HISTORY_LIMIT = 10;
/** Rows of the Earnings page's table of this node's contributions. */
const EARNINGS_LIMIT = 200;

export type ToggleAction = 'pause' | 'resume';

export function errorText(error: unknown): string {
  if (error instanceof ApiCallError) {
    return error.code === 'UNAVAILABLE' || error.code === 'TIMEOUT'
      ? strings.common.nodeNotAnswering
      : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export class Dashboard {
  connection: ConnectionState = $state.raw({ phase: 'connecting', attempt: 0, retryAt: null, message: '' });
  status: Status | null = $state(null);
  /** When `status` arrived (the page's clock): the uptime runs on from there. */
  statusAt: number = $state(Date.now());
  progress: ProgressPoint[] = $state.raw([]);
  samples: SamplesFrame | null = $state.raw(null);
  units: WorkUnit[] = $state.raw([]);
  today: WorkTotals | null = $state.raw(null);
  total: WorkTotals | null = $state.raw(null);
  settings: Settings | null = $state.raw(null);
  network: NetworkStatus | null = $state.raw(null);
  rounds: RoundRecord[] = $state.raw([]);
  /** This node's contributions and AIRT credited (null until loaded, and for a node that trains alone). */
  earnings: Earnings | null = $state.raw(null);
  loadError: string | null = $state(null);
  togglePending: ToggleAction | null = $state(null);
  toggleError: string | null = $state(null);

  /** What the toggle button would do now; null while the node cannot take it (stopping). */
  readonly toggleAction: ToggleAction | null = $derived.by(() => {
    const state = this.status?.state;
    if (!state || state === 'stopping') return null;
    // Held by a full disk or the schedule, the node is not paused by the user: it resumes by itself, so offer
    // a real pause.
    const reason = this.status?.reason;
    return state === 'training' || state === 'starting' || reason === 'disk' || reason === 'schedule' ? 'pause' : 'resume';
  });

  readonly #client: DashboardClient;
  readonly #unsubscribe: (() => void)[] = [];
  #reloadTimer: ReturnType<typeof setTimeout> | null = null;
  #loadSeq = 0;
  #networkTimer: ReturnType<typeof setInterval> | null = null;
  #networkPending = false;
  /** Counts applied network statuses, so a poll answered after a newer event does not overwrite it. */
  #networkApplied = 0;
  /** The last commit the round table reflects; undefined until it loaded on this connection. */
  #tableCommit: number | null | undefined = undefined;
  #roundsSeq = 0;
  #earningsSeq = 0;

  constructor(client: DashboardClient) {
    this.#client = client;
    this.connection = client.connection;
    this.#unsubscribe.push(
      client.onConnection((state) => {
        const was = this.connection.phase;
        this.connection = state;
        // Refused, this page may be talking to another node now (one that took the port): what it showed of
        // the old one must go, not stay on screen as if it were this one's.
        if (state.phase === 'unauthorized' && was !== 'unauthorized') this.#forget();
        if (state.phase === 'connected' && was !== 'connected') this.#onConnected();
        if (state.phase !== 'connected') this.#stopNetworkPoll();
      }),
      client.on('progress', (point) => this.#onProgress(point)),
      client.on('samples', (frame) => (this.samples = frame)),
      client.on('state', (info) => this.#applyState(info)),
      client.on('work', (unit) => this.#onWork(unit)),
      client.on('network', (status) => this.#applyNetwork(status)),
    );
  }

  get transport(): DashboardClient['transport'] {
    return this.#client.transport;
  }

  /** Restarts the miner where the page can (the desktop app); the node's state comes back as it reconnects. */
  get restartMiner(): DashboardClient['restartMiner'] {
    return this.#client.restartMiner;
  }

  start(): void {
    if (this.connection.phase === 'connected') this.#onConnected();
  }

  /** Everything the page shows, fetched together; asked again shortly if the node is not ready. */
  async load(): Promise<void> {
    const seq = ++this.#loadSeq;
    if (this.#reloadTimer !== null) clearTimeout(this.#reloadTimer);
    this.#reloadTimer = null;
    const client = this.#client;
    const [status, history, samples, work, settings] = await Promise.allSettled([
      client.call('status'),
      client.call('progressHistory'),
      client.call('latestSamples'),
      client.call('workHistory', { limit: MAX_WORK_UNITS }),
      client.call('getSettings'),
    ]);
    if (seq !== this.#loadSeq) return;
    if (status.status === 'fulfilled') {
      this.status = status.value;
      this.statusAt = Date.now();
      this.loadError = null;
    } else {
      this.loadError = errorText(status.reason);
    }
    if (history.status === 'fulfilled') this.progress = trimProgress(history.value);
    if (samples.status === 'fulfilled' && samples.value) this.samples = samples.value;
    if (work.status === 'fulfilled') {
      this.units = work.value.units;
      this.today = work.value.today;
      this.total = work.value.total;
    }
    if (settings.status === 'fulfilled') this.settings = settings.value;
    const failed = [status, history, samples, work, settings].some((result) => result.status === 'rejected');
    if (failed && this.connection.phase === 'connected') {
      this.#reloadTimer = setTimeout(() => void this.load(), RELOAD_DELAY_MS);
    }
  }

  async toggleTraining(): Promise<void> {
    const action = this.toggleAction;
    if (!action || this.togglePending) return;
    this.togglePending = action;
    this.toggleError = null;
    try {
      this.#applyState(await this.#client.call(action));
    } catch (error) {
      this.toggleError = (action === 'pause' ? strings.toggle.couldNotPause : strings.toggle.couldNotResume)(errorText(error));
    } finally {
      this.togglePending = null;
    }
  }

  /** Pauses for a while ("for 1 hour"): Resume ends it early. */
  pauseFor(minutes: number): Promise<void> {
    return this.#pauseWith(() => this.#client.call('pauseFor', { minutes }));
  }

  /** "Finish the round, then pause": the node trains until its contribution to this round is out. */
  pauseAfterRound(): Promise<void> {
    return this.#pauseWith(() => this.#client.call('pauseAfterRound'));
  }

  /** Whether "finish the round, then pause" means anything now: training in a round, not already asked. */
  get canFinishRound(): boolean {
    const round = this.network?.round;
    return this.status?.state === 'training' && !!round && !round.contributed && this.status.cause.kind !== 'finishing-round';
  }

  async #pauseWith(call: () => Promise<StateInfo>): Promise<void> {
    if (this.togglePending) return;
    this.togglePending = 'pause';
    this.toggleError = null;
    try {
      this.#applyState(await call());
    } catch (error) {
      this.toggleError = strings.toggle.couldNotPause(errorText(error));
    } finally {
      this.togglePending = null;
    }
  }

  /** Sends the changed settings; throws `ApiCallError` for the form to show. */
  async saveSettings(patch: Partial<Settings>): Promise<Settings> {
    const saved = await this.#client.call('setSettings', patch);
    this.settings = saved;
    return saved;
  }

  retryConnection(): void {
    this.#client.retryNow();
  }

  useToken(token: string): void {
    this.#client.setToken(token);
  }

  #forget(): void {
    this.status = null;
    this.progress = [];
    this.samples = null;
    this.units = [];
    this.today = this.total = null;
    this.settings = null;
    this.network = null;
    this.rounds = [];
    this.earnings = null;
  }

  destroy(): void {
    if (this.#reloadTimer !== null) clearTimeout(this.#reloadTimer);
    this.#stopNetworkPoll();
    for (const off of this.#unsubscribe) off();
    this.#client.close();
  }

  #onConnected() {
    void this.load();
    // The node may have restarted with other network options: load its rounds afresh.
    this.#tableCommit = undefined;
    void this.#refreshNetwork();
    this.#networkTimer ??= setInterval(() => {
      // An offline node stays offline until it restarts, and a restart reconnects.
      if (this.network?.enabled !== false) void this.#refreshNetwork();
    }, NETWORK_POLL_MS);
  }

  #stopNetworkPoll() {
    if (this.#networkTimer !== null) clearInterval(this.#networkTimer);
    this.#networkTimer = null;
  }

  async #refreshNetwork(): Promise<void> {
    // A slow node gets one question at a time, not a queue of them.
    if (this.#networkPending) return;
    this.#networkPending = true;
    const applied = this.#networkApplied;
    try {
      const status = await this.#client.call('network');
      if (applied === this.#networkApplied) this.#applyNetwork(status);
    } catch {
      // The next poll asks again.
    } finally {
      this.#networkPending = false;
    }
  }

  #applyNetwork(status: NetworkStatus) {
    this.#networkApplied++;
    this.network = status;
    if (isNewCommit(this.#tableCommit, status.lastCommit)) {
      this.#tableCommit = status.lastCommit?.round ?? null;
      void this.#refreshRounds();
      // A commit is what credits AIRT: the Earnings page and today's AIRT change with each.
      void this.#refreshEarnings();
    }
  }

  async #refreshRounds(): Promise<void> {
    const seq = ++this.#roundsSeq;
    try {
      const { rounds } = await this.#client.call('roundHistory', { limit: ROUND_HISTORY_LIMIT });
      if (seq === this.#roundsSeq) this.rounds = rounds;
    } catch {
      // Forget what the table shows, so the next status (a poll, at most 2 s away) asks again.
      if (seq === this.#roundsSeq) this.#tableCommit = undefined;
    }
  }

  async #refreshEarnings(): Promise<void> {
    const seq = ++this.#earningsSeq;
    try {
      const earnings = await this.#client.call('earnings', { limit: EARNINGS_LIMIT });
      if (seq === this.#earningsSeq) this.earnings = earnings;
    } catch {
      // The next commit asks again.
    }
  }

  #applyState(info: StateInfo) {
    const status = this.status;
    if (!status) return;
    const restarted = status.state === 'starting' && info.state === 'training';
    status.state = info.state;
    status.reason = info.reason;
    status.reasonText = info.reasonText;
    status.cause = info.cause;
    if (info.state !== 'training') status.samplesPerSecond = 0;
    // After a restart the node may run on another backend or shard: refresh the rest of the header.
    if (restarted) void this.load();
  }

  #onProgress(point: ProgressPoint) {
    this.progress = appendProgress(this.progress, point);
    const status = this.status;
    if (!status) return;
    status.step = point.step;
    // The trainer reports its last rate as it pauses: a paused node trains at 0 samples/s, whatever it says.
    if (status.state === 'training') status.samplesPerSecond = point.samplesPerSecond;
    status.losses = point.losses;
  }

  async #onWork(unit: WorkUnit) {
    this.units = prependWorkUnit(this.units, unit);
    // Totals are the ledger's to count (its "today" is its own day boundary): ask rather than add.
    try {
      const work = await this.#client.call('workHistory', { limit: 1 });
      this.today = work.today;
      this.total = work.total;
    } catch {
      // The next unit or reconnect refreshes them.
    }
  }
}
