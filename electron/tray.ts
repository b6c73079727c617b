/**
 * The tray icon: the node's state at a glance and in its menu's first line, the AIRT earned today, Pause,
 * Pause for 1 hour, Resume, open the window, quit.
 * Electron's Tray, Menu and nativeImage are passed in; tests use fakes.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { ApiClient, StateInfo } from '../worker/api/contract.js';
import { STATE_LABELS } from '../worker/api/labels.js';
import { formatAirt } from '../worker/rewards/emission.js';
import { strings } from './strings.js';
import type { UpdateOffer } from './updater.js';

const words = strings.tray;

/** How long "Pause for 1 hour" pauses. */
export const PAUSE_FOR_MINUTES = 60;
/** Today's AIRT is asked again at most this often (on the node's network events). */
const EARNINGS_EVERY_MS = 10_000;

export interface TrayLike<Image, Menu> {
  setImage(image: Image): void;
  setToolTip(text: string): void;
  setContextMenu(menu: Menu | null): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface TrayOptions<Image, Menu> {
  Tray: new (image: Image) => TrayLike<Image, Menu>;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): Menu };
  nativeImage: { createFromPath(path: string): Image };
  /** The icon file for a state (build/make-icons.ts draws one per state). */
  iconPath(state: TrayIconState): string;
  api: Pick<ApiClient, 'call' | 'on'>;
  openWindow(): void;
  /** Writes a diagnostics zip (through the worker) and shows it. */
  exportDiagnostics(): void;
  quit(): void;
  log?: (line: string) => void;
}

/** What the icon shows: training, waiting for the schedule (idle, battery…), paused, failed, or nothing yet. */
export type TrayIconState = 'plain' | 'training' | 'waiting' | 'paused' | 'error';

export function trayIconState(state: StateInfo | null): TrayIconState {
  if (!state) return 'plain';
  if (state.state === 'training') return 'training';
  if (state.state === 'error') return 'error';
  if (state.state === 'paused') return state.reason === 'schedule' ? 'waiting' : 'paused';
  return 'plain'; // starting, stopping
}

export interface MinerTray {
  /** Ask the node for its state (after every worker start). */
  refresh(): Promise<void>;
  /** The worker is gone (it is being restarted). */
  disconnected(): void;
  /** What the menu offers about an update (updater.ts), or nothing. */
  setUpdate(offer: UpdateOffer | null): void;
}

/** What the tray knows: the node's state (null while there is no worker) and its last training speed. */
export interface TrayModel {
  state: StateInfo | null;
  samplesPerSecond: number | null;
  /** AIRT credited today, in wei; null until known (and for a node that trains alone). */
  todayWei: string | null;
  /** The worker died and is being restarted (as opposed to starting for the first time). */
  restarting: boolean;
}

export interface TrayView {
  tooltip: string;
  /** The menu's first line: the state in words. */
  status: string;
  /** "AIRT earned today: 12.5"; null when unknown. */
  earned: string | null;
  canPause: boolean;
  canResume: boolean;
}


function formatRate(samplesPerSecond: number): string {
  return samplesPerSecond >= 10 ? String(Math.round(samplesPerSecond)) : samplesPerSecond.toFixed(1);
}

export function trayView({ state, samplesPerSecond, todayWei, restarting }: TrayModel): TrayView {
  const earned = todayWei !== null && /^\d+$/.test(todayWei) ? words.earnedToday(formatAirt(BigInt(todayWei), 2)) : null;
  if (!state) {
    const status = restarting ? words.restarting : words.starting;
    return { tooltip: words.tooltip(status), status, earned, canPause: false, canResume: false };
  }
  const label = STATE_LABELS[state.state];
  let detail = label;
  if (state.state === 'training') {
    if (samplesPerSecond !== null) detail += `, ${words.samplesPerSecond(formatRate(samplesPerSecond))}`;
  } else if (state.reasonText) {
    // "Paused by you" says it all; "Error" needs its reason beside it.
    const saysState = state.reasonText.toLowerCase().startsWith(label.toLowerCase());
    detail = saysState ? state.reasonText : words.withReason(label, state.reasonText);
  }
  // The menu line is rebuilt with the menu, on a change of state: without the speed, which moves every second.
  // Training with something to say ("Finishing round 7, then pausing") says it.
  const says = state.state === 'training' && state.cause.kind === 'finishing-round';
  const status = state.state === 'training' ? (says ? state.reasonText : label) : detail;
  return {
    // Windows truncates tray tooltips at 127 characters.
    tooltip: words.tooltip(detail).slice(0, 127),
    status,
    earned,
    // Held by the schedule (the user at the keyboard, on battery), the node resumes by itself: Pause stays offered.
    canPause: state.state === 'training' || state.state === 'starting' || state.reason === 'schedule',
    canResume: state.state === 'paused' && state.reason !== 'schedule',
  };
}

export function createTray<Image, Menu>(options: TrayOptions<Image, Menu>): MinerTray {
  const { api } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  let icon: TrayIconState = 'plain';
  const tray = new options.Tray(options.nativeImage.createFromPath(options.iconPath(icon)));
  const model: TrayModel = { state: null, samplesPerSecond: null, todayWei: null, restarting: false };
  let shown: TrayView | null = null;
  let update: UpdateOffer | null = null;
  let menuUpdate: UpdateOffer | null = null;

  const command = (method: 'pause' | 'resume' | 'pauseFor' | 'pauseAfterRound') => {
    const call = method === 'pauseFor' ? api.call('pauseFor', { minutes: PAUSE_FOR_MINUTES }) : api.call(method);
    call.then(setState, (error: Error) => log(`tray: ${method} failed: ${error.message}`));
  };

  let earningsAskedAt = -Infinity;
  const refreshEarnings = () => {
    if (Date.now() - earningsAskedAt < EARNINGS_EVERY_MS) return;
    earningsAskedAt = Date.now();
    api.call('earnings', { limit: 1 }).then(
      (earnings) => {
        model.todayWei = earnings?.totals?.todayWei ?? null;
        render();
      },
      () => undefined, // an offline node has none; the next network event asks again
    );
  };

  const menuTemplate = (view: TrayView): MenuItemConstructorOptions[] => [
    { label: view.status, enabled: false },
    ...(view.earned ? [{ label: view.earned, enabled: false }] : []),
    { type: 'separator' },
    { label: words.pause, enabled: view.canPause, click: () => command('pause') },
    { label: words.pauseForHour, enabled: view.canPause, click: () => command('pauseFor') },
    // Offered while training: the round's work is sent (and counts) before the pause.
    { label: words.finishRound, enabled: view.canPause && model.state?.state === 'training', click: () => command('pauseAfterRound') },
    { label: words.resume, enabled: view.canResume, click: () => command('resume') },
    { type: 'separator' },
    { label: words.open, click: () => options.openWindow() },
    ...(update ? [{ label: update.label, enabled: update.enabled, click: () => update?.click() }] : []),
    { label: words.exportDiagnostics, enabled: model.state !== null, click: () => options.exportDiagnostics() },
    { type: 'separator' },
    { label: words.quit, click: () => options.quit() },
  ];

  const render = () => {
    const view = trayView(model);
    const nextIcon = trayIconState(model.state);
    if (nextIcon !== icon) {
      icon = nextIcon;
      tray.setImage(options.nativeImage.createFromPath(options.iconPath(icon)));
    }
    if (view.tooltip !== shown?.tooltip) tray.setToolTip(view.tooltip);
    // Progress arrives every second or so: rebuild the menu only when what it offers changes.
    if (
      view.canPause !== shown?.canPause ||
      view.canResume !== shown?.canResume ||
      view.status !== shown?.status ||
      view.earned !== shown?.earned ||
      update !== menuUpdate
    ) {
      tray.setContextMenu(options.Menu.buildFromTemplate(menuTemplate(view)));
      menuUpdate = update;
    }
    shown = view;
  };

  const setState = (state: StateInfo) => {
    model.restarting = false;
    model.state = { state: state.state, reason: state.reason, cause: state.cause, reasonText: state.reasonText };
    if (state.state !== 'training') model.samplesPerSecond = null;
    render();
  };

  api.on('state', setState);
  api.on('network', () => refreshEarnings());
  api.on('progress', (point) => {
    if (model.state?.state !== 'training') return;
    model.samplesPerSecond = point.samplesPerSecond;
    render();
  });
  // Windows opens the window on a left click; Linux app indicators only show the menu.
  tray.on('click', () => options.openWindow());
  render();

  return {
    async refresh() {
      try {
        const status = await api.call('status');
        setState(status);
        earningsAskedAt = -Infinity;
        refreshEarnings();
        if (status.state === 'training') model.samplesPerSecond = status.samplesPerSecond;
        render();
      } catch (error) {
        log(`tray: status failed: ${(error as Error).message}`);
      }
    },
    disconnected() {
      model.state = null;
      model.restarting = true;
      model.samplesPerSecond = null;
      render();
    },
    setUpdate(offer) {
      update = offer;
      render();
    },
  };
}
