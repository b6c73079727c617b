/**
 * The browser transport: the control API over a WebSocket to the headless node, kept alive across node
 * restarts. Each socket gets its own `createRpcClient` (an rpc client's transport closes for good); this module
 * reconnects with backoff, forwards events from whichever socket is current to listeners that never notice
 * the switch, and tells "node down" from "wrong token".
 *
 * A browser cannot read the HTTP status of a refused WebSocket upgrade, so after a connect that never opened
 * it asks `GET /api/status` with the token: 401/403 means the token is wrong and retrying is pointless.
 *
 * Pure: the socket and fetch come in as parameters (see browser.dom.ts for the real ones).
 */
import {
  DEFAULT_CALL_TIMEOUT_MS,
  EVENTS,
  type ApiClient,
  type CallMessage,
  type EventName,
  type Events,
  type Method,
  type Params,
  type Result,
  type ServerMessage,
} from '../../../worker/api/contract.js';
import { ApiCallError, createRpcClient, type Transport } from '../../../worker/api/rpc-client.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { UNAUTHORIZED_MESSAGE, type ConnectionState, type DashboardClient } from './connection.js';
import { strings } from './strings.js';
import { probeUrl, socketUrl } from './token.js';

const words = strings.connection;

export interface SocketHandlers {
  onOpen(): void;
  onMessage(data: unknown): void;
  /** Fires once, whether the socket never opened or dropped later. */
  onClose(code: number, reason: string): void;
}
export interface SocketHandle {
  send(data: string): void;
  close(): void;
}
export type OpenSocket = (url: string, handlers: SocketHandlers) => SocketHandle;
export type FetchLike = (
  url: string,
  init: { headers: Record<string, string>; cache?: 'no-store' },
) => Promise<{ status: number }>;

export interface WebSocketClientOptions {
  /** `location.href` of the page: the node serves both the page and the API. */
  pageHref: string;
  token: string | null;
  openSocket: OpenSocket;
  fetch: FetchLike;
  backoff?: BackoffOptions;
  random?: () => number;
  now?: () => number;
  callTimeoutMs?: number;
}

/** Close codes a server may use to say "not allowed" on an already-open socket. */
const UNAUTHORIZED_CLOSE_CODES = new Set([4401, 4403]);

/** One server frame, or null if it is not a well-formed `ServerMessage`. */
export function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  let message: unknown;
  try {
    message = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null) return null;
  const { kind, id, event } = message as { kind?: unknown; id?: unknown; event?: unknown };
  if ((kind === 'result' || kind === 'error') && typeof id === 'number') return message as ServerMessage;
  if (kind === 'event' && (EVENTS as unknown[]).includes(event)) return message as ServerMessage;
  return null;
}

/** True when the node answers the probe with 401/403: the token is wrong, not the node down. */
export async function isUnauthorized(fetch: FetchLike, url: string, token: string | null): Promise<boolean> {
  try {
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const response = await fetch(url, { headers, cache: 'no-store' });
    return response.status === 401 || response.status === 403;
  } catch {
    return false; // unreachable: the node is down or restarting
  }
}

interface Waiter {
  resolve: (client: ApiClient) => void;
  reject: (error: ApiCallError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export function createWebSocketClient(options: WebSocketClientOptions): DashboardClient {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;

  let token = options.token;
  let socket: SocketHandle | null = null;
  let rpc: ApiClient | null = null;
  /** Bumped whenever the current socket is abandoned, so its late callbacks are ignored. */
  let generation = 0;
  let attempt = 0;
  let everConnected = false;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let state: ConnectionState = { phase: 'connecting', attempt: 0, retryAt: null, message: words.connecting };

  const stateListeners = new Set<(state: ConnectionState) => void>();
  const eventListeners = new Map<EventName, Set<(data: never) => void>>();
  const waiters = new Set<Waiter>();

  function setState(next: ConnectionState) {
    state = next;
    for (const listener of [...stateListeners]) listener(state);
    if (next.phase === 'connected' && rpc) {
      for (const waiter of [...waiters]) settle(waiter).resolve(rpc);
    } else if (next.phase === 'unauthorized' || next.phase === 'closed') {
      const error = new ApiCallError('UNAVAILABLE', next.message);
      for (const waiter of [...waiters]) settle(waiter).reject(error);
    }
  }

  function settle(waiter: Waiter): Waiter {
    clearTimeout(waiter.timer);
    waiters.delete(waiter);
    return waiter;
  }

  function emit(event: EventName, data: unknown) {
    for (const listener of [...(eventListeners.get(event) ?? [])]) listener(data as never);
  }

  function clearRetry() {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  }

  function dropSocket() {
    generation++;
    const old = socket;
    socket = null;
    rpc?.close();
    rpc = null;
    old?.close();
  }

  function connect() {
    clearRetry();
    dropSocket();
    const mine = ++generation;
    const current = () => mine === generation;
    let opened = false;
    let messageListener: ((message: ServerMessage) => void) | null = null;
    let closeListener: ((reason: string) => void) | null = null;

    if (state.phase !== 'connecting' && state.phase !== 'reconnecting') {
      setState({ phase: 'connecting', attempt, retryAt: null, message: words.connecting });
    }

    const handle = options.openSocket(socketUrl(options.pageHref, token), {
      onOpen() {
        if (!current()) return;
        opened = true;
        const transport: Transport = {
          send: (message: CallMessage) => handle.send(JSON.stringify(message)),
          onMessage: (listener) => void (messageListener = listener),
          onClose: (listener) => void (closeListener = listener),
          close: () => handle.close(),
        };
        rpc = createRpcClient(transport, callTimeoutMs);
        for (const event of EVENTS) rpc.on(event, (data) => emit(event, data));
        attempt = 0;
        everConnected = true;
        setState({ phase: 'connected', attempt: 0, retryAt: null, message: words.connected });
      },
      onMessage(data) {
        if (!current()) return;
        const message = parseServerMessage(data);
        if (message) messageListener?.(message);
      },
      onClose(code, reason) {
        if (!current()) return;
        socket = null;
        rpc = null;
        closeListener?.(reason || words.lost);
        if (UNAUTHORIZED_CLOSE_CODES.has(code)) {
          setState({ phase: 'unauthorized', attempt, retryAt: null, message: UNAUTHORIZED_MESSAGE });
          return;
        }
        if (opened) {
          scheduleRetry();
          return;
        }
        void isUnauthorized(options.fetch, probeUrl(options.pageHref), token).then((unauthorized) => {
          if (!current()) return;
          if (unauthorized) setState({ phase: 'unauthorized', attempt, retryAt: null, message: UNAUTHORIZED_MESSAGE });
          else scheduleRetry();
        });
      },
    });
    socket = handle;
  }

  function scheduleRetry() {
    clearRetry();
    const delay = backoffDelay(attempt, backoff, random);
    attempt++;
    const retryAt = now() + delay;
    const message = everConnected ? words.lostReconnecting : words.waiting;
    setState({ phase: everConnected ? 'reconnecting' : 'connecting', attempt, retryAt, message });
    retryTimer = setTimeout(connect, delay);
  }

  function ready(): Promise<ApiClient> {
    if (state.phase === 'connected' && rpc) return Promise.resolve(rpc);
    if (state.phase === 'unauthorized' || state.phase === 'closed') {
      return Promise.reject(new ApiCallError('UNAVAILABLE', state.message));
    }
    return new Promise<ApiClient>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          waiters.delete(waiter);
          reject(new ApiCallError('UNAVAILABLE', words.notConnected));
        }, callTimeoutMs),
      };
      waiters.add(waiter);
    });
  }

  connect();

  return {
    transport: 'websocket',
    // A browser tab cannot restart `airtist node`: its owner does, where it runs.
    restartMiner: null,
    get connection() {
      return state;
    },
    call<M extends Method>(method: M, params?: Params<M>): Promise<Result<M>> {
      // Connected: send now, so calls go out in the order they were made.
      if (state.phase === 'connected' && rpc) return rpc.call(method, params);
      return ready().then((api) => api.call(method, params));
    },
    on<E extends EventName>(event: E, listener: (data: Events[E]) => void): () => void {
      let set = eventListeners.get(event);
      if (!set) eventListeners.set(event, (set = new Set()));
      set.add(listener as (data: never) => void);
      return () => set.delete(listener as (data: never) => void);
    },
    onConnection(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    retryNow() {
      if (state.phase === 'closed' || state.phase === 'connected') return;
      if (state.phase === 'unauthorized') attempt = 0;
      connect();
    },
    setToken(next: string) {
      if (state.phase === 'closed') return;
      token = next;
      attempt = 0;
      connect();
    },
    close() {
      clearRetry();
      dropSocket();
      setState({ phase: 'closed', attempt, retryAt: null, message: words.disconnected });
    },
  };
}
