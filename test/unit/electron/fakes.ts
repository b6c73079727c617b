/**
 * Plain stand-ins for the Electron objects the main process uses, so its modules run under vitest without
 * Electron. Each fake records what was done to it; only the surface the code under test touches exists.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';
import type { WorkerControlMessage } from '../../../electron/supervisor.js';

/** MessagePortMain: delivers to its entangled peer asynchronously, like the real one. */
export class FakePort extends EventEmitter {
  peer: FakePort | null = null;
  closed = false;
  started = false;
  readonly sent: unknown[] = [];

  postMessage(message: unknown): void {
    if (this.closed) return;
    this.sent.push(message);
    const peer = this.peer;
    queueMicrotask(() => {
      if (peer && !peer.closed) peer.emit('message', { data: message, ports: [] });
    });
  }
  start(): void {
    this.started = true;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
    const peer = this.peer;
    if (peer && !peer.closed) queueMicrotask(() => peer.close());
  }
}

export class FakeChannel {
  readonly port1 = new FakePort();
  readonly port2 = new FakePort();
  constructor() {
    this.port1.peer = this.port2;
    this.port2.peer = this.port1;
  }
}

/** UtilityProcess: the test decides when it spawns and exits. */
export class FakeChild extends EventEmitter {
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly messages: { message: WorkerControlMessage; ports: FakePort[] }[] = [];
  kills = 0;

  postMessage(message: WorkerControlMessage, ports: FakePort[] = []): void {
    this.messages.push({ message, ports });
  }
  kill(): boolean {
    this.kills++;
    return true;
  }
  spawn(): void {
    this.emit('spawn');
  }
  exit(code: number): void {
    this.emit('exit', code);
  }
  /** The worker ends of the ports handed to it, by client name. */
  portsFor(client: string): FakePort[] {
    return this.messages
      .filter(({ message }) => message.type === 'connect' && message.client === client)
      .map(({ ports }) => ports[0]!);
  }
}

/** A tiny worker stand-in: answers every call on `port` with `answer(method)`. */
export function serve(port: FakePort, answer: (method: string) => unknown): void {
  port.on('message', ({ data }: { data: { id: number; method: string } }) => {
    port.postMessage({ kind: 'result', id: data.id, result: answer(data.method) });
  });
}

export class FakeSession {
  headersListener: ((details: { responseHeaders?: Record<string, string[]> }, callback: (r: unknown) => void) => void) | null =
    null;
  requestHandler: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null;
  checkHandler: ((...args: unknown[]) => boolean) | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: FakeSession['headersListener']) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: FakeSession['requestHandler']): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['checkHandler']): void {
    this.checkHandler = handler;
  }
}

export class FakeWebContents extends EventEmitter {
  url = '';
  readonly session = new FakeSession();
  openHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly posted: { channel: string; message: unknown; ports: unknown[] }[] = [];

  setWindowOpenHandler(handler: FakeWebContents['openHandler']): void {
    this.openHandler = handler;
  }
  getURL(): string {
    return this.url;
  }
  postMessage(channel: string, message: unknown, ports: unknown[] = []): void {
    this.posted.push({ channel, message, ports });
  }
  /** Simulates a navigation attempt; true when it was allowed. */
  navigate(event: 'will-navigate' | 'will-redirect', url: string): boolean {
    let prevented = false;
    this.emit(event, { url, preventDefault: () => (prevented = true) });
    return !prevented;
  }
  /** The page at `url` finished loading. */
  finishLoad(url: string): void {
    this.url = url;
    this.emit('did-finish-load');
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  minimized = false;
  focused = 0;

  constructor(readonly options: BrowserWindowConstructorOptions) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused++;
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  /** The last URL given to loadURL. */
  loadedUrl: string | null = null;
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    return Promise.resolve();
  }
  /** The user closes the window; true when it really closed. */
  close(): boolean {
    let prevented = false;
    this.emit('close', { preventDefault: () => (prevented = true) });
    return !prevented;
  }
  /** Loads the URL given to loadURL, as Electron would. */
  finishLoading(): void {
    this.webContents.finishLoad(this.loadedUrl!);
  }
}

export class FakeTray extends EventEmitter {
  static instances: FakeTray[] = [];
  tooltip = '';
  menu: MenuItemConstructorOptions[] | null = null;
  menuBuilds = 0;

  constructor(public image: unknown) {
    super();
    FakeTray.instances.push(this);
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: MenuItemConstructorOptions[] | null): void {
    this.menu = menu;
    this.menuBuilds++;
  }
  item(label: string): MenuItemConstructorOptions {
    const found = this.menu?.find((entry) => entry.label === label);
    if (!found) throw new Error(`no menu item ${label}`);
    return found;
  }
  clickItem(label: string): void {
    const click = this.item(label).click as unknown as () => void;
    click();
  }
}

export const FakeMenu = {
  buildFromTemplate: (template: MenuItemConstructorOptions[]) => template,
};

export const fakeNativeImage = {
  createFromPath: (path: string) => ({ path }),
};

/** Lets queued microtasks and promise callbacks run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await Promise.resolve();
}
