/** Small stand-ins for the browser objects the renderer's client modules take as parameters. */
import type { CallMessage } from '../../../../../worker/api/contract.js';
import type { HistoryLike, StorageLike } from '../../../../../renderer/src/lib/token.js';
import type { FetchLike, OpenSocket, SocketHandle, SocketHandlers } from '../../../../../renderer/src/lib/ws-client.js';

export class FakeStorage implements StorageLike {
  readonly items = new Map<string, string>();
  failing = false;
  getItem(key: string): string | null {
    if (this.failing) throw new Error('storage disabled');
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.failing) throw new Error('storage disabled');
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

export class FakeHistory implements HistoryLike {
  state: unknown = { page: 1 };
  readonly replaced: (string | null | undefined)[] = [];
  replaceState(data: unknown, _unused: string, url?: string | null): void {
    this.state = data;
    this.replaced.push(url);
  }
}

/** One socket as the server sees it: the test accepts, answers, pushes events and drops it. */
export class FakeSocket implements SocketHandle {
  readonly sent: CallMessage[] = [];
  closed = false;
  constructor(
    readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as CallMessage);
  }
  close(): void {
    this.closed = true;
  }
  accept(): void {
    this.handlers.onOpen();
  }
  reply(id: number, result: unknown): void {
    this.handlers.onMessage(JSON.stringify({ kind: 'result', id, result }));
  }
  replyError(id: number, code: string, message: string): void {
    this.handlers.onMessage(JSON.stringify({ kind: 'error', id, error: { code, message } }));
  }
  push(event: string, data: unknown): void {
    this.handlers.onMessage(JSON.stringify({ kind: 'event', event, data }));
  }
  raw(data: unknown): void {
    this.handlers.onMessage(data);
  }
  drop(code = 1006, reason = ''): void {
    this.handlers.onClose(code, reason);
  }
}

export class FakeNetwork {
  readonly sockets: FakeSocket[] = [];
  readonly probes: { url: string; headers: Record<string, string> }[] = [];
  /** What GET /api/status answers; an Error means "connection refused". */
  probeStatus: number | Error = new Error('connection refused');

  readonly openSocket: OpenSocket = (url, handlers) => {
    const socket = new FakeSocket(url, handlers);
    this.sockets.push(socket);
    return socket;
  };

  readonly fetch: FetchLike = async (url, init) => {
    this.probes.push({ url, headers: init.headers });
    if (this.probeStatus instanceof Error) throw this.probeStatus;
    return { status: this.probeStatus };
  };

  get last(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket opened');
    return socket;
  }
}
