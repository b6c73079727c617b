/**
 * Picks how this page reaches the node and returns the one `DashboardClient` the UI uses:
 *  - inside the desktop app the preload exposes `window.airtist` → the bridge adapter;
 *  - in a browser served by `airtist node` → the WebSocket at `/api/ws` with the page's access token.
 *
 * Pure: every browser object comes in through `ClientEnv` (browser.dom.ts builds the real one).
 */
import type { AirtistBridge, ApiClient } from '../../../worker/api/contract.js';
import { ApiCallError } from '../../../worker/api/rpc-client.js';
import { createBridgeClient, isAirtistBridge, toApiCallError } from './bridge-client.js';
import type { ConnectionState, DashboardClient } from './connection.js';
import { strings } from './strings.js';
import { takeToken, type HistoryLike, type StorageLike, saveToken } from './token.js';
import { createWebSocketClient, type FetchLike, type OpenSocket } from './ws-client.js';

export type TransportChoice =
  | { kind: 'bridge'; bridge: AirtistBridge }
  | { kind: 'websocket' }
  | { kind: 'none'; reason: string };

export interface ClientEnv {
  /** `window.airtist`, whatever is there. */
  bridge: unknown;
  /** `location.href`. */
  href: string;
  storage: StorageLike | null;
  history: HistoryLike | null;
  openSocket: OpenSocket;
  fetch: FetchLike;
}

export function pickTransport(env: Pick<ClientEnv, 'bridge' | 'href'>): TransportChoice {
  if (isAirtistBridge(env.bridge)) return { kind: 'bridge', bridge: env.bridge };
  const protocol = new URL(env.href).protocol;
  if (protocol === 'http:' || protocol === 'https:') return { kind: 'websocket' };
  return {
    kind: 'none',
    reason: strings.connection.noNodeBehindPage,
  };
}

/** A client whose line never changes state (the bridge: the main process keeps it up). */
function fixedConnection(api: ApiClient, transport: 'bridge' | 'none', connection: ConnectionState, restartMiner: DashboardClient['restartMiner'] = null): DashboardClient {
  return {
    transport,
    connection,
    restartMiner,
    call: (method, params) => api.call(method, params),
    on: (event, listener) => api.on(event, listener),
    onConnection: () => () => {},
    retryNow: () => {},
    setToken: () => {},
    close: () => api.close(),
  };
}

const unavailableApi = (reason: string): ApiClient => ({
  call: () => Promise.reject(new ApiCallError('UNAVAILABLE', reason)),
  on: () => () => {},
  close: () => {},
});

export function createDashboardClient(env: ClientEnv): DashboardClient {
  const choice = pickTransport(env);
  switch (choice.kind) {
    case 'bridge':
      return fixedConnection(
        createBridgeClient(choice.bridge),
        'bridge',
        { phase: 'connected', attempt: 0, retryAt: null, message: strings.connection.connected },
        () => choice.bridge.restartMiner().catch((error: unknown) => Promise.reject(toApiCallError(error))),
      );
    case 'none':
      return fixedConnection(unavailableApi(choice.reason), 'none', {
        phase: 'unavailable',
        attempt: 0,
        retryAt: null,
        message: choice.reason,
      });
    case 'websocket': {
      const client = createWebSocketClient({
        pageHref: env.href,
        token: takeToken(env),
        openSocket: env.openSocket,
        fetch: env.fetch,
      });
      return {
        ...client,
        transport: client.transport,
        get connection() {
          return client.connection;
        },
        setToken(token: string) {
          saveToken(env.storage, token);
          client.setToken(token);
        },
      };
    }
  }
}
