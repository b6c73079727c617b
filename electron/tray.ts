/**
 * The tray icon: the node's state at a glance, Pause / Resume, open the window, quit.
 * Electron's Tray, Menu and nativeImage are passed in; tests use fakes.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { ApiClient, StateInfo } from '../worker/api/contract.js';
import { STATE_LABELS } from '../worker/api/labels.js';

export interface TrayLike<Menu> {
  setToolTip(text: string): void;
  setContextMenu(menu: Menu | null): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface TrayOptions<Image, Menu> {
  Tray: new (image: Image) => TrayLike<Menu>;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): Menu };
  nativeImage: { createFromPath(path: string): Image };
  iconPath: string;
  api: Pick<ApiClient, 'call' | 'on'>;
  openWindow(): void;
  quit(): void;
  log?: (line: string) => void;
}

export interface MinerTray {
  /** Ask the node for its state (after every worker start). */
  refresh(): Promise<void>;
  /** The worker is gone (it is being restarted). */
  disconnected(): void;
}

/** What the tray knows: the node's state (null while there is no worker) and its last training speed. */
export interface TrayModel {
  state: StateInfo | null;
  samplesPerSecond: number | null;
  /** The worker died and is being restarted (as opposed to starting for the first time). */
  restarting: boolean;
}

export interface TrayView {
  tooltip: string;
  canPause: boolean;
  canResume: boolean;
}


function formatRate(samplesPerSecond: number): string {
  return samplesPerSecond >= 10 ? String(Math.round(samplesPerSecond)) : samplesPerSecond.toFixed(1);
}

export function trayView({ state, samplesPerSecond, restarting }: TrayModel): TrayView {
  if (!state) {
    const tooltip = restarting ? 'AIRTIST Miner — The miner stopped; restarting it…' : 'AIRTIST Miner — Starting…';
    return { tooltip, canPause: false, canResume: false };
  }
  const label = STATE_LABELS[state.state];
  let detail = label;
  if (state.state === 'training') {
    if (samplesPerSecond !== null) detail += `, ${formatRate(samplesPerSecond)} samples/s`;
  } else if (state.reasonText) {
    // "Paused by you" says it all; "Error" needs its reason beside it.
    const saysState = state.reasonText.toLowerCase().startsWith(label.toLowerCase());
    detail = saysState ? state.reasonText : `${label} (${state.reasonText})`;
  }
  return {
    // Windows truncates tray tooltips at 127 characters.
    tooltip: `AIRTIST Miner — ${detail}`.slice(0, 127),
    canPause: state.state === 'training' || state.state === 'starting',
    canResume: state.state === 'paused',
  };
}

export function createTray<Image, Menu>(options: TrayOptions<Image, Menu>): MinerTray {
  const { api } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const tray = new options.Tray(options.nativeImage.createFromPath(options.iconPath));
  const model: TrayModel = { state: null, samplesPerSecond: null, restarting: false };
  let shown: TrayView | null = null;

  const command = (method: 'pause' | 'resume') => {
    api.call(method).then(setState, (error: Error) => log(`tray: ${method} failed: ${error.message}`));
  };

  const menuTemplate = (view: TrayView): MenuItemConstructorOptions[] => [
    { label: 'Pause', enabled: view.canPause, click: () => command('pause') },
    { label: 'Resume', enabled: view.canResume, click: () => command('resume') },
    { type: 'separator' },
    { label: 'Open AIRTIST Miner', click: () => options.openWindow() },
    { type: 'separator' },
    { label: 'Quit', click: () => options.quit() },
  ];

  const render = () => {
    const view = trayView(model);
    if (view.tooltip !== shown?.tooltip) tray.setToolTip(view.tooltip);
    // Progress arrives every second or so: rebuild the menu only when what it offers changes.
    if (view.canPause !== shown?.canPause || view.canResume !== shown?.canResume) {
      tray.setContextMenu(options.Menu.buildFromTemplate(menuTemplate(view)));
    }
    shown = view;
  };

  const setState = (state: StateInfo) => {
    model.restarting = false;
    model.state = { state: state.state, reason: state.reason, reasonText: state.reasonText };
    if (state.state !== 'training') model.samplesPerSecond = null;
    render();
  };

  api.on('state', setState);
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
  };
}
