/**
 * The desktop notifications a miner wants and no more: its first accepted contribution (once per install:
 * the ledger's all-time count goes from 0), AIRT to claim (once per epoch root, and once after a start as a
 * reminder), and the worker crashing.
 * What they read comes from the node's API on its network events, throttled; Electron's Notification is
 * passed in, and tests use a fake.
 */
import type { ApiClient } from '../worker/api/contract.js';
import { formatAirt } from '../worker/rewards/emission.js';
import { strings, type Notice } from './strings.js';

const words = strings.notifications;

export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface NotifierOptions {
  Notification: { new (options: { title: string; body: string; silent?: boolean }): NotificationLike; isSupported(): boolean };
  api: Pick<ApiClient, 'call' | 'on'>;
  /** Shows the window, on a page (`earnings`) or the dashboard. */
  openWindow(page?: string): void;
  /** Earnings and balances are asked at most this often (default a minute). */
  everyMs?: number;
  log?: (line: string) => void;
}

export interface Notifier {
  /** The worker died and will be restarted in `restartInMs`. */
  workerCrashed(code: number | null, restartInMs: number): void;
  /** Any other notice (an update); `click` runs when the user clicks it. */
  notify(title: string, body: string, click: () => void): void;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { api } = options;
  const everyMs = options.everyMs ?? 60_000;
  const log = options.log ?? (() => {});
  /** All-time accepted contributions when first read; null until then. */
  let accepted: number | null = null;
  /** The epoch whose claimable AIRT was last announced. */
  let announcedEpoch: number | null = null;
  let askedAt = -Infinity;

  const show = (title: string, body: string, click: () => void) => {
    if (!options.Notification.isSupported()) return;
    const notification = new options.Notification({ title, body });
    notification.on('click', click);
    notification.show();
  };
  const notify = ([title, body]: Notice, page?: string) => show(title, body, () => options.openWindow(page));

  async function check(): Promise<void> {
    const earnings = await api.call('earnings', { limit: 1 });
    const count = earnings.totals.accepted;
    if (accepted === 0 && count > 0) notify(words.firstAccepted, 'earnings');
    accepted = count;
    const wallet = await api.call('walletStatus');
    if (!wallet.address || wallet.chain.state !== 'ready') return;
    const balances = await api.call('walletBalances');
    const claimable = BigInt(balances.claimableWei);
    // Once per epoch root while something is claimable (and once after a start, as a reminder).
    if (claimable > 0n && balances.latestEpoch !== null && balances.latestEpoch !== announcedEpoch) {
      notify(words.claimable(formatAirt(claimable, 2)), 'earnings');
      announcedEpoch = balances.latestEpoch;
    }
  }

  api.on('network', () => {
    if (Date.now() - askedAt < everyMs) return;
    askedAt = Date.now();
    check().catch((error: Error) => log(`notifications: ${error.message}`));
  });

  return {
    workerCrashed(code, restartInMs) {
      notify(words.crashed(Math.max(1, Math.round(restartInMs / 1000)), code));
    },
    notify: show,
  };
}
