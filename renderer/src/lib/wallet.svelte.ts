/**
 * The wallet as the page shows it: the node's wallet state, its balances on chain and its transactions,
 * kept current by the node's `wallet` and `transaction` events and, for balances (which change on chain
 * without an event), a poll while connected. Components read it; only the methods here talk to the node.
 * Secrets pass through here only on their way to the node (passwords) or to the screen (an export): none
 * is kept.
 */
import type { WalletBalances, WalletInfo, WalletTransaction } from '../../../worker/api/contract.js';
import type { DashboardClient } from './connection.js';
import { errorText } from './dashboard.svelte.js';

/** Balances move on chain (a root posted, a claim mined): ask this often. */
const BALANCES_POLL_MS = 4000;
const HISTORY_LIMIT = 50;

export class WalletModel {
  info: WalletInfo | null = $state.raw(null);
  balances: WalletBalances | null = $state.raw(null);
  /** Why the balances cannot be read now (the chain is starting, the ledger cannot prove the root…). */
  balancesError: string | null = $state(null);
  /** Newest first. */
  transactions: WalletTransaction[] = $state.raw([]);
  /** The claim or send being sent, and what came of the last one that was refused before it was sent. */
  sending: 'claim' | 'send' | null = $state(null);
  refused: { kind: 'claim' | 'send'; message: string } | null = $state(null);

  readonly #client: DashboardClient;
  readonly #unsubscribe: (() => void)[] = [];
  #timer: ReturnType<typeof setInterval> | null = null;
  #balancesSeq = 0;

  constructor(client: DashboardClient) {
    this.#client = client;
    this.#unsubscribe.push(
      client.onConnection((state) => {
        if (state.phase === 'connected') this.#onConnected();
        else this.#stopPoll();
      }),
      client.on('wallet', (info) => {
        const chainCameUp = info.chain.state === 'ready' && this.info?.chain.state !== 'ready';
        this.info = info;
        if (chainCameUp || (info.address && !this.balances)) void this.refreshBalances();
      }),
      client.on('transaction', (tx) => this.#applyTransaction(tx)),
    );
    if (client.connection.phase === 'connected') this.#onConnected();
  }

  /** The claim in flight or the latest one: what the Earnings page follows. */
  get latestClaim(): WalletTransaction | null {
    return this.transactions.find((tx) => tx.kind === 'claim') ?? null;
  }

  async refresh(): Promise<void> {
    try {
      this.info = await this.#client.call('walletStatus');
    } catch {
      // An offline node has no wallet: the page says so from `info` staying null.
      return;
    }
    await Promise.all([this.refreshBalances(), this.#refreshHistory()]);
  }

  async refreshBalances(): Promise<void> {
    if (!this.info?.address || this.info.chain.state !== 'ready') return;
    const seq = ++this.#balancesSeq;
    try {
      const balances = await this.#client.call('walletBalances');
      if (seq !== this.#balancesSeq) return;
      this.balances = balances;
      this.balancesError = null;
    } catch (error) {
      if (seq === this.#balancesSeq) this.balancesError = errorText(error);
    }
  }

  // Each of these throws the node's refusal (ApiCallError) for the form that asked to show.

  async create(password: string): Promise<void> {
    this.info = await this.#client.call('walletCreate', { password });
    void this.refresh();
  }

  async import(password: string, secret: string): Promise<void> {
    this.info = await this.#client.call('walletImport', { password, secret });
    void this.refresh();
  }

  /** `remember`: unlock by itself at every start (the desktop app keeps the password in the system keychain). */
  async unlock(password: string, remember = false): Promise<void> {
    this.info = await this.#client.call('walletUnlock', { password, remember });
  }

  async forgetUnlock(): Promise<void> {
    this.info = await this.#client.call('walletForgetUnlock');
  }

  async lock(): Promise<void> {
    this.info = await this.#client.call('walletLock');
  }

  /** The mnemonic, for the screen only: the caller shows it and forgets it. */
  async exportMnemonic(password: string): Promise<string> {
    return (await this.#client.call('walletExport', { password })).mnemonic;
  }

  /** Claims what the posted root owes; the transaction then follows by events. A refusal lands in `refused`. */
  async claim(): Promise<boolean> {
    return this.#transact('claim', () => this.#client.call('walletClaim'));
  }

  async send(to: string, amount: string, coin: 'airt' | 'gas'): Promise<boolean> {
    return this.#transact('send', () => this.#client.call('walletSend', { to, amount, coin }));
  }

  destroy(): void {
    this.#stopPoll();
    for (const off of this.#unsubscribe) off();
  }

  async #transact(kind: 'claim' | 'send', run: () => Promise<WalletTransaction>): Promise<boolean> {
    if (this.sending) return false;
    this.sending = kind;
    this.refused = null;
    try {
      this.#applyTransaction(await run());
      return true;
    } catch (error) {
      this.refused = { kind, message: errorText(error) };
      return false;
    } finally {
      this.sending = null;
    }
  }

  #applyTransaction(tx: WalletTransaction) {
    // A reply that says "pending" may arrive after the event that settled it: a settled status stays.
    const known = this.transactions.find((t) => t.hash === tx.hash);
    if (known && known.status !== 'pending' && tx.status === 'pending') return;
    const rest = this.transactions.filter((known) => known.hash !== tx.hash);
    this.transactions = [tx, ...rest].sort((a, b) => b.sentAt - a.sentAt).slice(0, HISTORY_LIMIT);
    if (tx.status !== 'pending') void this.refreshBalances();
  }

  async #refreshHistory(): Promise<void> {
    try {
      this.transactions = (await this.#client.call('walletHistory', { limit: HISTORY_LIMIT })).transactions;
    } catch {
      // The next connection asks again.
    }
  }

  #onConnected() {
    void this.refresh();
    this.#timer ??= setInterval(() => void this.refreshBalances(), BALANCES_POLL_MS);
  }

  #stopPoll() {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
